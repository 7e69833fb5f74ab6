import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard change add|remove`: the change requests a release carries.
struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Add approved change requests to a release, or remove them.",
        subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a change request to a release (only approved ones are accepted).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "The change's id in the change system, e.g. CHG-1.") var id: String
        @Option(help: "The change's title.") var title: String
        @Option(help: "The change's risk, e.g. low.") var risk: String
        @Option(help: "The change's status in the change system.") var status = "approved"
        @Option(help: "A CI the change affects, e.g. CI-APP-0001 (repeatable).") var ci: [CIKey] = []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = Components.Schemas.ChangeRequest(
                externalId: id, title: title, status: status, risk: risk, affectedCIs: ci.isEmpty ? nil : ci.map(\.text))
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.addChange(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { ReleaseText.summary("added \(id) to", $0) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a change request from a release.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Argument(help: "The change's id, e.g. CHG-1.") var id: String
        @Option(help: "Why.") var reason: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.removeChange(
                        path: .init(key: key.text, externalId: id), query: .init(reason: reason),
                        headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { ReleaseText.summary("removed \(id) from", $0) }
        }
    }
}
