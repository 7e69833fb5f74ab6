import ArgumentParser
import CLICore
import GatewayAPI

// `shipboard rollout start|pause|resume|abort|retry|skip|exclude|approve`: each answers the
// rollout's state and the targets it changed; shipboard-rollout decides whether the action
// fits the rollout's state.
extension RolloutCommand {
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the planned rollout (the release must be in its deploy phase, outside freeze windows).")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await RolloutCommand.control(output, {
                try await $0.startRollout(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: $1))
            }, expecting: { try $0.ok.body.json })
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open the next wave when the gate after the current one is an approval.")

        @Argument(help: "The release key.") var key: ReleaseKey
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await RolloutCommand.control(output, {
                try await $0.approveRolloutWave(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: $1))
            }, expecting: { try $0.ok.body.json })
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause the rollout: no new deploy starts; those running finish.")
        @OptionGroup var options: RolloutWholeActionOptions
        func run() async throws { try await options.send(.pause) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused rollout.")
        @OptionGroup var options: RolloutWholeActionOptions
        func run() async throws { try await options.send(.resume) }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Abort the rollout, backing out every target that succeeded (latest first).")
        @Argument(help: "The release key.") var key: ReleaseKey
        @Option(help: "Why (required, recorded).") var reason: String
        @OptionGroup var output: OutputOptions
        func run() async throws { try await RolloutCommand.act(key, .init(action: .abort, reason: reason), output) }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Try failed targets again (task keys or target CI keys).")
        @OptionGroup var options: RolloutTargetActionOptions
        @Option(help: "Why (recorded).") var reason: String?
        func run() async throws { try await options.send(.retry, reason: reason) }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Skip targets: they count as done for their wave and dependents.")
        @OptionGroup var options: RolloutTargetActionOptions
        @Option(help: "Why (required, recorded).") var reason: String
        func run() async throws { try await options.send(.skip, reason: reason) }
    }

    struct Exclude: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exclude targets from the rollout.")
        @OptionGroup var options: RolloutTargetActionOptions
        @Option(help: "Why (required, recorded).") var reason: String
        func run() async throws { try await options.send(.exclude, reason: reason) }
    }

    /// Sends one action on the rollout.
    static func act(_ key: ReleaseKey, _ body: Components.Schemas.RolloutActionInput, _ output: OutputOptions) async throws {
        try await control(output, {
            try await $0.controlRollout(path: .init(key: key.text), headers: .init(Idempotency_hyphen_Key: $1), body: .json(body))
        }, expecting: { try $0.ok.body.json })
    }

    /// Sends a command that answers the rollout's state and prints it.
    static func control<Output: Sendable>(
        _ output: OutputOptions, _ send: @escaping @Sendable (Client, String) async throws -> Output,
        expecting wanted: @escaping @Sendable (Output) throws -> Components.Schemas.RolloutControlled
    ) async throws {
        let reply = try await APISession.run { session in try await session.command(send, expecting: wanted) }
        try output.emit(reply) { controlled in
            let changed = controlled.changedTargets
            return "rollout of \(controlled.releaseKey): \(controlled.state.rawValue)"
                + (changed.isEmpty ? "" : "; changed \(RolloutPlanSummary.plural(changed.count, "target")): \(changed.joined(separator: ", "))")
                + "\n"
        }
    }
}

/// The arguments of an action on the whole rollout (pause, resume): the release and why.
struct RolloutWholeActionOptions: ParsableArguments {
    @Argument(help: "The release key.") var key: ReleaseKey
    @Option(help: "Why (recorded).") var reason: String?
    @OptionGroup var output: OutputOptions

    func send(_ action: Components.Schemas.RolloutActionInput.actionPayload) async throws {
        try await RolloutCommand.act(key, .init(action: action, reason: reason), output)
    }
}

/// The arguments of an action on some targets (retry, skip, exclude).
struct RolloutTargetActionOptions: ParsableArguments {
    @Argument(help: "The release key.") var key: ReleaseKey
    @Argument(help: "Task keys (rollout-SOURCE-TARGET) or target CI keys, at most 1,000.") var targets: [String]
    @OptionGroup var output: OutputOptions

    func send(_ action: Components.Schemas.RolloutActionInput.actionPayload, reason: String?) async throws {
        try await RolloutCommand.act(key, .init(action: action, targets: targets, reason: reason), output)
    }
}
