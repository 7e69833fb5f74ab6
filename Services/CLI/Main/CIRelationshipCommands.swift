import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

extension CICommand {
    struct Relate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the relationship SOURCE KIND TARGET, e.g. CI-APP-0001 runs_on CI-SRV-0001 (a dependency cycle is refused).")

        @Argument(help: "The source CI.") var source: CIKey
        @Argument(help: "depends_on, runs_on, located_at or part_of.") var kind: Components.Schemas.CIRelationshipKind
        @Argument(help: "The target CI.") var target: CIKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.relateCIs(
                        path: .init(ciKey: source.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(kind: kind, target: target.text)))
                }, expecting: { try $0.ok.body.json })
            }
            let relationship = "\(source.text) \(kind.rawValue) \(target.text)"
            try output.emit(reply) { $0.changed ? "related: \(relationship)\n" : "already related: \(relationship)\n" }
        }
    }

    struct Unrelate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the relationship SOURCE KIND TARGET.")

        @Argument(help: "The source CI.") var source: CIKey
        @Argument(help: "depends_on, runs_on, located_at or part_of.") var kind: Components.Schemas.CIRelationshipKind
        @Argument(help: "The target CI.") var target: CIKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.unrelateCIs(
                        path: .init(ciKey: source.text, kind: kind, target: target.text),
                        headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            let relationship = "\(source.text) \(kind.rawValue) \(target.text)"
            try output.emit(reply) { $0.changed ? "unrelated: \(relationship)\n" : "was not related: \(relationship)\n" }
        }
    }
}

/// CIs as tables for a terminal.
enum CIText {
    static func list(_ items: [Components.Schemas.CI]) -> String {
        guard !items.isEmpty else { return "no CIs\n" }
        let rows = items.map { [$0.key, $0._class.rawValue, $0.site ?? "", $0.name] }
        return TextTable(header: ["KEY", "CLASS", "SITE", "NAME"], rows: rows).text
    }

    static func detail(_ detail: Components.Schemas.CIDetail) -> String {
        let item = detail.item
        var text = FieldList([("key", item.key), ("name", item.name), ("class", item._class.rawValue), ("site", item.site)]).text
        let attributes = item.attributes.additionalProperties.sorted { $0.key < $1.key }
        text += ReleaseText.section("ATTRIBUTES", attributes.isEmpty ? nil : TextTable(
            header: ["NAME", "VALUE"], rows: attributes.map { [$0.key, $0.value] }))
        text += ReleaseText.section("RELATIONSHIPS", detail.relationships.isEmpty ? nil : TextTable(
            header: ["SOURCE", "KIND", "TARGET"], rows: detail.relationships.map { [$0.source, $0.kind.rawValue, $0.target] }))
        return text
    }
}
