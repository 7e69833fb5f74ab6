import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

extension ReleaseCommand {
    /// `shipboard release collisions KEY`: what stands in the way of the release's deployment.
    struct Collisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the release's collisions (in-flight releases sharing CIs in overlapping windows) and the blackouts it falls in.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getDeploymentGuards(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: GuardText.report)
        }
    }

    /// `shipboard release override KEY --reason …`: a release manager lets the deployment go ahead.
    struct Override: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "As release manager: let the deployment go ahead despite its blackouts and collisions, with a reason (audited).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Why (required; it goes into the audit trail).") var reason: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.overrideDeploymentGuards(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(.init(reason: reason)))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: GuardText.report)
        }
    }
}

/// The deployment guard report as text: blackouts, then collisions, then the override.
enum GuardText {
    static func report(_ report: Components.Schemas.DeploymentGuardReport) -> String {
        var text = ""
        if report.freezes.isEmpty && report.collisions.isEmpty {
            text += "\(report.releaseKey): no blackout and no collision stands in the way\n"
        }
        if !report.freezes.isEmpty {
            text += TextTable(header: ["BLACKOUT", "WHEN (LOCAL)", "OVERRIDDEN"], rows: report.freezes.map {
                [$0.windowName, $0.local, $0.overridden ? "yes" : "no"]
            }).text
        }
        if !report.collisions.isEmpty {
            if !report.freezes.isEmpty { text += "\n" }
            text += TextTable(header: ["RELEASE", "OVERLAP (UTC)", "SHARED CIS", "OVERRIDDEN", "TITLE"], rows: report.collisions.map {
                [$0.releaseKey, GuardText.overlap($0.overlapStart, $0.overlapEnd),
                 "\($0.sharedCount): \($0.sharedCIs.prefix(3).joined(separator: ", "))", $0.overridden ? "yes" : "no", $0.title]
            }).text
        }
        if let by = report.overriddenBy { text += "overridden by \(by): \(report.overrideReason ?? "")\n" }
        return text
    }

    /// `2027-01-12 20:00–22:00Z` within a day, else both ends in full.
    static func overlap(_ start: Date, _ end: Date) -> String {
        let from = DateText.cell(start), to = DateText.cell(end)
        guard from.prefix(11) == to.prefix(11) else { return "\(from) – \(to)" }
        return "\(from.dropLast())–\(to.dropFirst(11))"
    }
}
