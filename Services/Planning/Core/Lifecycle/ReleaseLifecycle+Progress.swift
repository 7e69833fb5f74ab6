import Contracts
import Foundation

extension ReleaseLifecycle {
    /// Moves the release exactly one phase forward: only from `in_progress`, only when the
    /// current phase's gate is open and no exit criterion of severity `error` fails.
    /// Failing warnings are returned in the outcome and named in the event.
    public static func advance(
        _ state: ReleaseState, by actor: String, at time: Date, exitCriteria: [ExitCriterionResult]
    ) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        guard let target = state.phase.next else {
            throw CommandError(
                .conflict, "\(state.key) is in review, the last phase; close it instead",
                rule: "lifecycle.phase_order")
        }
        try requireInProgress(state, to: "advance")
        try requireGateOpen(state)
        let warnings = try requireExitCriteria(exitCriteria, of: state)
        var next = state
        next.phase = target
        next.approvals = []
        next.history.append(record(.advanced, state, actor, time, to: state.status))
        let changed = ReleasePhaseChanged(
            releaseKey: state.key, actor: actor, from: state.phase, to: target,
            warnings: warnings.isEmpty ? nil : warnings.map(\.name))
        return LifecycleOutcome(state: next, events: [.phaseChanged(changed)], warnings: warnings)
    }

    /// `in_progress` → `on_hold`.
    public static func hold(
        _ state: ReleaseState, by actor: String, at time: Date, reason: String? = nil
    ) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        try requireInProgress(state, to: "hold")
        return change(state, to: .onHold, action: .held, by: actor, at: time, reason: reason)
    }

    /// `on_hold` → `in_progress`.
    public static func resume(_ state: ReleaseState, by actor: String, at time: Date) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        guard state.status == .onHold else {
            throw CommandError(
                .conflict, "only a release on hold can be resumed; \(state.key) is \(describe(state))",
                rule: "lifecycle.not_on_hold")
        }
        return change(state, to: .inProgress, action: .resumed, by: actor, at: time, reason: nil)
    }

    /// Any non-terminal status → `cancelled`.
    public static func cancel(
        _ state: ReleaseState, by actor: String, at time: Date, reason: String? = nil
    ) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        return change(state, to: .cancelled, action: .cancelled, by: actor, at: time, reason: reason)
    }

    /// `review`/`in_progress` → `completed`, when review's gate is open and its exit criteria hold.
    public static func close(
        _ state: ReleaseState, by actor: String, at time: Date, exitCriteria: [ExitCriterionResult] = []
    ) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        guard state.phase == .review else {
            throw CommandError(
                .conflict, "a release is closed from review; \(state.key) is \(describe(state))",
                rule: "lifecycle.close_requires_review")
        }
        try requireInProgress(state, to: "close")
        try requireGateOpen(state)
        let warnings = try requireExitCriteria(exitCriteria, of: state)
        var outcome = change(state, to: .completed, action: .closed, by: actor, at: time, reason: nil)
        outcome.warnings = warnings
        return outcome
    }

    /// `deploy` (in progress or on hold) → `backed_out`, terminal: the rollout failed and was reversed.
    public static func backOut(
        _ state: ReleaseState, by actor: String, at time: Date, reason: String
    ) throws(CommandError) -> LifecycleOutcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw CommandError(
                .validation, "a back-out needs a reason", rule: "lifecycle.backout_reason_required",
                fields: ["reason": "must not be empty"])
        }
        try requireNotTerminal(state)
        guard state.phase == .deploy, state.status == .inProgress || state.status == .onHold else {
            throw CommandError(
                .conflict, "only a release being deployed can be backed out; \(state.key) is \(describe(state))",
                rule: "lifecycle.backout_requires_deploy")
        }
        return change(state, to: .backedOut, action: .backedOut, by: actor, at: time, reason: reason)
    }

    /// A status change with its history record and `release.status_changed` event.
    static func change(
        _ state: ReleaseState, to target: ReleaseStatus, action: LifecycleRecord.Action,
        by actor: String, at time: Date, reason: String?
    ) -> LifecycleOutcome {
        var next = state
        next.status = target
        next.history.append(record(action, state, actor, time, to: target, reason: reason))
        return LifecycleOutcome(state: next, events: [statusChanged(state, actor, to: target, reason: reason)])
    }
}
