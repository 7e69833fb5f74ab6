import Contracts

/// What a rollout's own transition does to its release. Every one planning handles is
/// recorded on the release's audit chain once per rollout (a repeat records nothing); a
/// rollout that was reversed also ends the release:
///
/// - `rollout.backed_out`: the targets it changed are reversed: the release is `backed_out`.
/// - `rollout.aborted` after `rollout.halted`: the failure threshold (or a person) stopped
///   it before anything needed reversing: the deployment failed all the same, `backed_out`.
/// - `rollout.aborted` without a halt, `rollout.halted`, `rollout.completed`: recorded only.
///   The automated deploy task's `rollout.rollout_finished` (which follows) fails or finishes
///   that task, and the release moves as its phase's rules say; an abort before any halt
///   leaves the release in deploy for its managers to plan again or back out.
public enum RolloutEnding {
    /// The lifecycle command the rollout's new `state` calls for, or nil (record only).
    /// `haltedBefore`: the release's chain records a halt of this rollout.
    public static func command(for state: RolloutState, reason: String?, rolloutId: String, haltedBefore: Bool) -> LifecycleCommand? {
        let reversed = state == .backedOut || (state == .aborted && haltedBefore)
        guard reversed else { return nil }
        let why = RolloutText.clean(reason, limit: ReleaseLifecycle.maxReasonLength)
        return .backOut(reason: why ?? "shipboard-rollout \(state == .backedOut ? "backed out" : "aborted") rollout \(rolloutId)")
    }

    /// A rollout id as recorded: control characters dropped, at most 100 characters.
    public static func recordedId(_ rolloutId: String) -> String {
        RolloutText.clean(rolloutId, limit: 100) ?? "?"
    }
}
