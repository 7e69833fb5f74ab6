import ArgumentParser
import CLICore
import GatewayAPI

// `shipboard rollout status|targets|target`: where the release's latest rollout stands.
extension RolloutCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the rollout: a line per wave and a bar per site with counts, rate and ETA.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({ try await $0.getRollout(path: .init(key: key.text)) }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { _ in
                guard let status = reply.body.flatMap(RolloutBoard.status(from:)) else { return "the rollout could not be read\n" }
                return RolloutBoard.render(status)
            }
        }
    }

    struct Targets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rollout's targets in deploy order, a page at a time.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Only targets in this state.") var state: Components.Schemas.RolloutTargetState?
        @Option(help: "Only targets at this site.") var site: String?
        @Option(help: "Only targets of this wave (1 is the first).") var wave: Int?
        @Option(help: "Page size, 1 to 200 (server default 50).") var limit: Int?
        @Flag(help: "Every page.") var all = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, !(1...200).contains(limit) { throw ValidationError("--limit must be 1 to 200") }
            if let wave, wave < 1 { throw ValidationError("--wave is 1 or more") }
        }

        func run() async throws {
            let pages = try await APISession.run { session in
                try await Pages.collect(all: all) { cursor in
                    let query = Operations.listRolloutTargets.Input.Query(
                        state: state, site: site, wave: wave.map { $0 - 1 }, limit: limit, cursor: cursor)
                    let reply = try await session.call({
                        try await $0.listRolloutTargets(path: .init(key: key.text), query: query)
                    }, expecting: { try $0.ok.body.json })
                    return (reply, reply.value.nextCursor)
                }
            }
            try pages.emit(output: output, noun: "targets") {
                TextTable(
                    header: ["TASK", "TARGET", "SITE", "WAVE", "STATE", "TRIES", "DETAIL"],
                    rows: pages.replies.flatMap(\.value.items).map { target in
                        [target.taskKey, target.target, target.site, "\(target.wave + 1)",
                         target.waitingForWorker ? "waiting" : target.state.rawValue, "\(target.attempts)", target.detail ?? ""]
                    }).text
            }
        }
    }

    struct Target: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one target with every attempt and its log.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @Argument(help: "The target's task key (rollout-SOURCE-TARGET).") var taskKey: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await APISession.run { session in
                try await session.call({
                    try await $0.getRolloutTarget(path: .init(key: key.text, taskKey: taskKey))
                }, expecting: { try $0.ok.body.json })
            }
            try output.emit(reply) { _ in
                guard let detail = reply.body.flatMap(RolloutTargetText.detail(from:)) else { return "the target could not be read\n" }
                return RolloutTargetText.render(detail)
            }
        }
    }
}
