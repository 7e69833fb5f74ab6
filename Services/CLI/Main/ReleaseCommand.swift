import ArgumentParser
import CLICore
import Foundation
import GatewayAPI

/// `shipboard release …`: record, list and show releases, move them through their lifecycle
/// and watch them.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Create, list, show, move through the lifecycle and watch releases.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Submit.self, Approve.self, Reject.self, Advance.self,
            Hold.self, Resume.self, Cancel.self, Close.self, Watch.self, Collisions.self, Override.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a new release (initiate ▸ draft).")

        @Option(help: "What the release is, 1 to 200 characters.") var title: String
        @Option(help: "major, minor, emergency or standard.") var type: Components.Schemas.ReleaseType?
        @Option(help: "high, medium or low.") var impact: Components.Schemas.Level?
        @Option(help: "high, medium or low.") var urgency: Components.Schemas.Level?
        @Option(help: "low, medium, high or critical.") var risk: Components.Schemas.Risk?
        @Option(help: "The business justification.") var justification: String?
        @Option(help: "Who asks for it (default: you).") var requester: String?
        @Option(help: "Who coordinates it.") var coordinator: String?
        @Option(help: "Scheduled start (ISO 8601, or YYYY-MM-DD for midnight UTC).") var start: DateArgument?
        @Option(help: "Scheduled end (ISO 8601).") var end: DateArgument?
        @Option(help: "Target date (ISO 8601).") var targetDate: DateArgument?
        @Option(help: "A release template: its gates and defaults apply.") var template: String?
        @Option(help: "A job plan name.") var jobPlan: String?
        @Option(help: "A longer description.") var description: String?
        @Option(help: "As release manager: why the schedule may fall in a blackout (audited).") var overrideReason: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body = Components.Schemas.CreateRelease(
                title: title, description: description, _type: type, impact: impact, urgency: urgency, risk: risk,
                businessJustification: justification, requester: requester, coordinator: coordinator,
                scheduledStart: start?.date, scheduledEnd: end?.date, targetDate: targetDate?.date,
                templateName: template, jobPlanName: jobPlan)
            body.freezeOverrideReason = overrideReason
            let reply = try await APISession.run { session in
                try await session.command({ client, key in
                    try await client.createRelease(headers: .init(Idempotency_hyphen_Key: key), body: .json(body))
                }, expecting: { try $0.created.body.json })
            }
            try output.emit(reply) { ReleaseText.summary("created", $0) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List releases, ordered by key.")

        @Option(help: "Only releases in this phase.") var phase: Components.Schemas.Phase?
        @Option(help: "Only releases with this status.") var status: Components.Schemas.Status?
        @Option(help: "Only releases of this type.") var type: Components.Schemas.ReleaseType?
        @Option(help: "Only releases with this priority.") var priority: Components.Schemas.Priority?
        @Option(help: "Only releases whose title contains this text (any case).") var q: String?
        @Option(help: "Page size, 1 to 200 (server default 50).") var limit: Int?
        @Flag(help: "Every page, following the cursor (default: the first page).") var all = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
        }

        func run() async throws {
            let pages = try await APISession.run { session in
                try await Pages.collect(all: all) { cursor in
                    let query = Operations.listReleases.Input.Query(
                        phase: phase, status: status, _type: type, priority: priority, q: q, limit: limit, cursor: cursor)
                    let reply = try await session.call({ try await $0.listReleases(query: query) }, expecting: { try $0.ok.body.json })
                    return (reply, reply.value.nextCursor)
                }
            }
            try pages.emit(output: output, noun: "releases") { ReleaseText.list(pages.replies.flatMap(\.value.items)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a release: fields, gate, approvals, history, changes.")

        @Argument(help: "The release key, e.g. REL-000001 (or 1).") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getRelease(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply, table: ReleaseText.detail)
        }
    }
}
