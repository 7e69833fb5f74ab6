import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

extension ReleaseCommand {
    /// `release update KEY --title …`: changes descriptive fields; fields not given stay.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a release's descriptive fields (the others stay).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "A new title.") var title: String?
        @Option(help: "A new description.") var description: String?
        @Option(help: "major, minor, emergency or standard.") var type: Components.Schemas.ReleaseType?
        @Option(help: "high, medium or low.") var impact: Components.Schemas.Level?
        @Option(help: "high, medium or low.") var urgency: Components.Schemas.Level?
        @Option(help: "low, medium, high or critical.") var risk: Components.Schemas.Risk?
        @Option(help: "Set the priority directly (with --priority-reason).") var priority: Components.Schemas.Priority?
        @Option(help: "Why the priority differs from impact × urgency.") var priorityReason: String?
        @Option(help: "The business justification.") var justification: String?
        @Option(help: "Who coordinates it.") var coordinator: String?
        @Option(help: "Scheduled start (ISO 8601).") var start: DateArgument?
        @Option(help: "Scheduled end (ISO 8601).") var end: DateArgument?
        @Option(help: "Target date (ISO 8601).") var targetDate: DateArgument?
        @Option(help: "A job plan name.") var jobPlan: String?
        @Option(help: "As release manager: why the new schedule may fall in a blackout (audited).") var overrideReason: String?
        @OptionGroup var expectation: ViewExpectationOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let given: [Any?] = [
                title, description, type, impact, urgency, risk, priority, priorityReason, justification, coordinator,
                start, end, targetDate, jobPlan,
            ]
            guard given.contains(where: { $0 != nil }) else { throw ValidationError("give at least one field to change") }
        }

        func run() async throws {
            let lifecycle = LifecycleRun(key: key, output: output, verb: "updated")
            try await lifecycle.run(checking: expectation, { client, key, idempotencyKey, view in
                var body = Components.Schemas.UpdateRelease(
                    title: title, description: description, impact: impact, urgency: urgency, risk: risk,
                    businessJustification: justification, coordinator: coordinator, scheduledStart: start?.date,
                    scheduledEnd: end?.date, targetDate: targetDate?.date, _type: type, jobPlanName: jobPlan,
                    priority: priority, priorityReason: priorityReason, expectedPhase: view.phase, expectedVersion: view.version)
                body.freezeOverrideReason = overrideReason
                return try await client.updateRelease(
                    path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
            }, summary: { try $0.ok.body.json })
        }
    }
}
