import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard template list|define|retire`: release templates, whose gates say which approver
/// group approves each phase.
struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "List, define and retire release templates.",
        subcommands: [List.self, Define.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List templates, retired ones included.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.listTemplates() }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { list in
                guard !list.items.isEmpty else { return "no templates\n" }
                return TextTable(
                    header: ["NAME", "VERSION", "TYPE", "RETIRED", "GATES"],
                    rows: list.items.map { template in
                        [template.name, "\(template.version)", template._type.rawValue, template.retired ? "yes" : "no",
                         Self.gates(template.gates.additionalProperties)]
                    }
                ).text
            }
        }

        /// `plan=cab:2 deploy=ops:1`, in lifecycle order: the form `--gate` takes.
        static func gates(_ gates: [String: Components.Schemas.Gate]) -> String {
            let rank = { (phase: String) in (ReleaseProgress.phases.firstIndex(of: phase) ?? ReleaseProgress.phases.count, phase) }
            return gates.sorted { rank($0.key) < rank($1.key) }
                .map { "\($0.key)=\($0.value.approverGroup):\($0.value.requiredApprovals)" }
                .joined(separator: " ")
        }
    }

    struct Define: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Define a template, or its next version (gates may only add to the policy).")

        @Argument(help: "The template's name, e.g. standard-change.") var name: ConfigurationNameArgument
        @Option(help: "major, minor, emergency or standard.") var type: Components.Schemas.ReleaseType
        @Option(help: "A phase's gate as phase=group:count, e.g. plan=cab:2 (repeatable; :count defaults to 1).")
        var gate: [String] = []
        @Option(help: "What the template is for.") var description: String?
        @Option(help: "Default impact: high, medium or low.") var impact: Components.Schemas.Level?
        @Option(help: "Default urgency: high, medium or low.") var urgency: Components.Schemas.Level?
        @Option(help: "Default risk: low, medium, high or critical.") var risk: Components.Schemas.Risk?
        @Option(help: "A job plan name.") var jobPlan: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            do { _ = try GateArgument.parseAll(gate) } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            let gates = try GateArgument.parseAll(gate).reduce(into: [String: Components.Schemas.Gate]()) { gates, gate in
                gates[gate.phase] = .init(approverGroup: gate.group, requiredApprovals: gate.requiredApprovals)
            }
            let body = Components.Schemas.TemplateInput(
                description: description, _type: type, impact: impact, urgency: urgency, risk: risk, jobPlanName: jobPlan,
                gates: gates.isEmpty ? nil : .init(additionalProperties: gates))
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.defineTemplate(
                        path: .init(name: name.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "defined template \($0.name), version \($0.version)\n" }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a template: no new release may use it.")

        @Argument(help: "The template's name.") var name: ConfigurationNameArgument
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.retireTemplate(path: .init(name: name.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { "retired template \($0.name) (version \($0.version))\n" }
        }
    }
}
