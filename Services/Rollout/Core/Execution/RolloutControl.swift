import Contracts

/// What operators may do to a rollout and its targets, and what it leads to. Pure: each
/// refusal is a `CommandError` with a stable rule.
///
/// | action | allowed when | leads to |
/// |---|---|---|
/// | pause | running | paused (running deploys finish; nothing new starts) |
/// | resume | paused | running |
/// | abort (reason) | planned, running, paused | backing out every target that succeeded, latest first (then backed out), or aborted when none did |
/// | retry a target | it failed, the rollout is running or paused | pending (a new attempt) |
/// | skip a target | it is pending or failed | skipped (counts as done for its wave and dependents) |
/// | exclude a target | it is pending or failed | excluded (taken out of this rollout) |
public enum RolloutControl {
    public enum Action: Sendable, Equatable {
        case pause, resume, abort(reason: String)
        case retry(String), skip(String), exclude(String)
    }

    /// The rollout's state after `action`, or a refusal saying why not.
    public static func rolloutState(after action: Action, from state: RolloutState, succeededTargets: Int) throws(CommandError) -> RolloutState {
        switch action {
        case .pause:
            guard state == .running else { throw refused("pause", state, "only a running rollout can be paused") }
            return .paused
        case .resume:
            guard state == .paused else { throw refused("resume", state, "only a paused rollout can be resumed") }
            return .running
        case .abort(let reason):
            try ShortText.check(reason, field: "reason", max: 1000, rule: "rollout.reason")
            guard state == .planned || state == .running || state == .paused else {
                throw refused("abort", state, "a rollout that is halted or finished cannot be aborted")
            }
            return succeededTargets > 0 ? .backingOut : .aborted
        case .retry, .skip, .exclude:
            guard state == .running || state == .paused || state == .planned else {
                throw refused("change targets of", state, "targets change only while the rollout is planned, running or paused")
            }
            return state
        }
    }

    /// The target's state after a target action, or a refusal saying why not.
    public static func targetState(after action: Action, from state: RolloutTargetState) throws(CommandError) -> RolloutTargetState {
        switch action {
        case .retry(let key):
            guard state == .failed else { throw targetRefused("retry", key, state, "only a failed target is retried") }
            return .pending
        case .skip(let key):
            guard state == .pending || state == .failed else { throw targetRefused("skip", key, state, "only a pending or failed target is skipped") }
            return .skipped
        case .exclude(let key):
            guard state == .pending || state == .failed else {
                throw targetRefused("exclude", key, state, "only a pending or failed target is excluded")
            }
            return .excluded
        case .pause, .resume, .abort:
            return state
        }
    }

    private static func refused(_ verb: String, _ state: RolloutState, _ why: String) -> CommandError {
        CommandError(.conflict, "cannot \(verb) a rollout that is \(state.rawValue): \(why)", rule: "rollout.state")
    }

    private static func targetRefused(_ verb: String, _ key: String, _ state: RolloutTargetState, _ why: String) -> CommandError {
        CommandError(.conflict, "cannot \(verb) \(key), which is \(state.rawValue): \(why)", rule: "rollout.target_state")
    }
}
