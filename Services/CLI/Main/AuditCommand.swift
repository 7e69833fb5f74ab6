import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard audit show|verify`: a release's tamper-evident audit trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show a release's audit trail, or verify its chain.",
        subcommands: [Show.self, Verify.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a release's audit trail, oldest first.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getReleaseAudit(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { trail in
                guard !trail.entries.isEmpty else { return "no audit entries for \(trail.releaseKey)\n" }
                return TextTable(
                    header: ["SEQ", "AT", "ACTOR", "ACTION", "DETAILS"],
                    rows: trail.entries.map { entry in
                        let details = entry.details.additionalProperties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        return ["\(entry.seq)", DateText.cell(entry.occurredAt), entry.actor, entry.action, details.joined(separator: " ")]
                    }
                ).text
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's MAC and link and the chain's head; exit 1 when the chain is broken.")
        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.verifyReleaseAudit(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            let verdict = reply.value
            try output.emit(reply) { verdict in
                let checked = verdict.entries.map { "\($0) entries" } ?? "all entries"
                return verdict.intact ? "\(verdict.releaseKey): audit chain intact (\(checked) checked)\n" : ""
            }
            guard verdict.intact else {
                let place = verdict.brokenAt.map { " at entry \($0)" } ?? ""
                let reason = verdict.reason.map { ": \($0)" } ?? ""
                throw CommandFailure("\(verdict.releaseKey): audit chain BROKEN\(place)\(reason)")
            }
        }
    }
}
