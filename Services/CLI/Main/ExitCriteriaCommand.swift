import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard exit-criteria list|set`: how each phase treats an unmet exit criterion.
struct ExitCriteriaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exit-criteria",
        abstract: "List and set how phases treat unmet exit criteria (off, warning, error).",
        subcommands: [List.self, SetSeverity.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List configured severities by phase (others have their defaults).")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listExitCriteria() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                let rows = list.items.flatMap(ExitCriteriaText.rows)
                return rows.isEmpty ? "no exit criteria configured (all have their defaults)\n"
                    : TextTable(header: ["PHASE", "CRITERION", "SEVERITY"], rows: rows).text
            }
        }
    }

    struct SetSeverity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set how PHASE treats CRITERION when unmet.")
        @Argument(help: "The phase.") var phase: Components.Schemas.Phase
        @Argument(help: "The criterion, e.g. changes_approved.") var criterion: String
        @Argument(help: "off, warning or error.") var severity: Components.Schemas.ExitCriterionInput.severityPayload
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.configureExitCriterion(
                        path: .init(phase: phase, criterion: criterion), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(severity: severity)))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { criteria in
                let rows = ExitCriteriaText.rows(criteria)
                return rows.isEmpty ? "\(criteria.phase.rawValue): all criteria at their defaults\n"
                    : TextTable(header: ["PHASE", "CRITERION", "SEVERITY"], rows: rows).text
            }
        }
    }
}

enum ExitCriteriaText {
    static func rows(_ criteria: Components.Schemas.ExitCriteria) -> [[String]] {
        criteria.criteria.additionalProperties.sorted { $0.key < $1.key }.map { [criteria.phase.rawValue, $0.key, $0.value] }
    }
}
