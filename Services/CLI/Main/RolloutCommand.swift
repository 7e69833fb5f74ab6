import ArgumentParser
import CLICore
import Contracts
import Foundation
import GatewayAPI

/// `shipboard rollout plan|start|status|targets|target|pause|resume|abort|retry|skip|exclude|approve`:
/// a release's rollout across sites and waves.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Plan, start, follow and steer a release's rollout across sites and waves.",
        subcommands: [
            Plan.self, Start.self, Status.self, Targets.self, Target.self, Pause.self, Resume.self, Abort.self, Retry.self, Skip.self,
            Exclude.self, Approve.self,
        ])

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan the release's rollout: one rollout per source → target CI, in waves (canary, then by site).",
            discussion: """
                Targets are the CIs every given criterion selects (--target, --site, --class, --tag, \
                --related). --file reads a definition (the API's RolloutPlanInput JSON); flags given \
                as well replace its fields. --dry-run prints the plan without storing it.
                """)

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(name: .customLong("source"), help: "Source CI keys, comma-separated (default: the release's software and application CIs).")
        var sources: [RolloutListArgument] = []
        @Option(name: .customLong("target"), help: "Target CI keys, comma-separated.") var targets: [RolloutListArgument] = []
        @Option(name: .customLong("site"), help: "Targets at these sites, comma-separated.") var sites: [RolloutListArgument] = []
        @Option(name: .customLong("class"), help: "Targets of this class (repeatable).") var classes: [Components.Schemas.CIClass] = []
        @Option(name: .customLong("tag"), help: "Targets whose attribute NAME is VALUE: NAME=VALUE (repeatable, all must hold).")
        var tags: [RolloutTagArgument] = []
        @Option(help: "Targets related to anchors: KIND:incoming|outgoing:CI,CI (incoming: what KIND the anchors).")
        var related: RolloutRelatedArgument?
        @Option(help: "Targets in a first canary wave.") var canary: Int?
        @Option(help: "Sites in the order their waves run, comma-separated.") var siteOrder: [RolloutListArgument] = []
        @Option(help: "Deploy jobs at once in each wave (default 5).") var window: Int?
        @Option(help: "Failed rollouts that halt it: a count (2) or a percentage (10%).") var threshold: RolloutThresholdArgument?
        @Option(help: "Between waves: none, approval, pause:SECONDS or soak:SECONDS.") var between: RolloutGateArgument?
        @Option(help: "What a halt backs out: current_wave (default) or all.") var backoutScope: RolloutBackoutScopeArgument?
        @Flag(help: "Print the plan without storing it.") var dryRun = false
        @Option(help: "A JSON file with the definition.") var file: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var flags = RolloutDefinitionFlags()
            flags.sources = sources.flatMap(\.items)
            flags.targetKeys = targets.flatMap(\.items)
            flags.sites = sites.flatMap(\.items)
            flags.classes = classes.map { CIClass(rawValue: $0.rawValue) }
            flags.tags = tags.map { ($0.tag.name, $0.tag.value) }
            flags.related = related?.selection
            flags.canary = canary
            flags.siteOrder = siteOrder.flatMap(\.items)
            flags.window = window
            flags.threshold = threshold?.threshold
            flags.betweenWaves = between?.gate
            flags.backoutScope = backoutScope?.scope
            let body = try RolloutCommand.planInput(
                RolloutDefinitionArguments.definition(base: try file.map(RolloutCommand.definition(in:)), flags: flags), dryRun: dryRun)
            let reply = try await APISession.run { session in
                try await session.command({ client, idempotencyKey in
                    try await client.planRollout(
                        path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: idempotencyKey), body: .json(body))
                }, expecting: { output in
                    switch output {
                    case .ok(let ok): try ok.body.json
                    case .created(let created): try created.body.json
                    default: throw CommandFailure("unexpected answer")
                    }
                })
            }
            try output.emit(reply) { _ in
                guard let body = reply.body, let planned = try? JSONDecoder().decode(RolloutPlanned.self, from: body) else {
                    return "the plan could not be read\n"
                }
                return RolloutPlanSummary.render(planned)
            }
        }
    }

    /// The definition in a `--file`.
    static func definition(in path: String) throws -> RolloutDefinition {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)", status: .usage) }
        do {
            return try JSONDecoder().decode(RolloutDefinition.self, from: data)
        } catch {
            throw CommandFailure("\(path) is not a rollout definition (targets, sources, canary, window, …)", status: .usage)
        }
    }

    /// The API's input: the definition's JSON shape plus `dryRun`.
    static func planInput(_ definition: RolloutDefinition, dryRun: Bool) throws -> Components.Schemas.RolloutPlanInput {
        var input = try JSONDecoder().decode(Components.Schemas.RolloutPlanInput.self, from: JSONEncoder().encode(definition))
        input.dryRun = dryRun ? true : nil
        return input
    }
}
