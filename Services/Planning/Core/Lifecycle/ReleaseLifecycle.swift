import Contracts
import Foundation

/// The rules of the release lifecycle (ARCHITECTURE.md): which command is allowed in which
/// phase and status, who may approve, and what each accepted command changes and emits.
///
/// Pure: no I/O, no clock (the caller passes `at`). A refused command throws a
/// `CommandError` whose `rule` names the rule broken, e.g. `lifecycle.phase_order`.
///
/// Choices the architecture leaves open:
/// - `submit` with no gate on `initiate` authorizes at once (`draft` → `in_progress`).
/// - `reject` is terminal (`rejected`); a reworked release is recorded as a new one, so the
///   rejected record and its reason stay as they were decided.
/// - Segregation of duties is `forbidden` (the actor may never do it); other refusals
///   are `conflict`, a missing rejection reason is `validation`. Every party of the release
///   (`ReleaseState.parties`: creator, submitter, every requester and coordinator) is kept
///   from deciding; actors are compared normalised (`PersonID`).
/// - Membership of the gate's approver group is checked when the caller passes the actor's
///   groups (`approverGroups`); nil skips the check (the caller knows groups, this does not).
public enum ReleaseLifecycle {
    /// Applies any lifecycle command.
    public static func apply(
        _ command: LifecycleCommand, to state: ReleaseState, by actor: String, at time: Date
    ) throws(CommandError) -> LifecycleOutcome {
        try requireWellFormedText(command)
        return try dispatch(command, to: state, by: PersonID.normalized(actor), at: time)
    }

    private static func dispatch(
        _ command: LifecycleCommand, to state: ReleaseState, by actor: String, at time: Date
    ) throws(CommandError) -> LifecycleOutcome {
        switch command {
        case .submit: try submit(state, by: actor, at: time)
        case .approve(let comment, let groups):
            try approve(state, by: actor, at: time, comment: comment, approverGroups: groups)
        case .reject(let reason, let groups):
            try reject(state, by: actor, at: time, reason: reason, approverGroups: groups)
        case .advance(let criteria): try advance(state, by: actor, at: time, exitCriteria: criteria)
        case .hold(let reason): try hold(state, by: actor, at: time, reason: reason)
        case .resume: try resume(state, by: actor, at: time)
        case .cancel(let reason): try cancel(state, by: actor, at: time, reason: reason)
        case .close(let criteria): try close(state, by: actor, at: time, exitCriteria: criteria)
        case .backOut(let reason): try backOut(state, by: actor, at: time, reason: reason)
        }
    }

    /// `initiate`/`draft` → `pending_approval` (or `in_progress` when `initiate` has no gate).
    public static func submit(_ state: ReleaseState, by actor: String, at time: Date) throws(CommandError) -> LifecycleOutcome {
        try requireNotTerminal(state)
        guard state.status == .draft, state.phase == .initiate else {
            throw CommandError(
                .conflict, "only a draft release in initiate can be submitted; \(state.key) is \(describe(state))",
                rule: "lifecycle.submit_requires_draft")
        }
        let target: ReleaseStatus = state.currentGate == nil ? .inProgress : .pendingApproval
        var next = state
        next.status = target
        next.addParty(actor)
        next.history.append(record(.submitted, state, actor, time, to: target))
        let submitted = ReleaseSubmitted(releaseKey: state.key, actor: actor, approverGroup: state.currentGate?.approverGroup)
        return LifecycleOutcome(
            state: next, events: [.submitted(submitted), statusChanged(state, actor, to: target)])
    }

    /// Adds `actor`'s approval to the current phase's gate; reaching the required count
    /// authorizes a pending release (`in_progress`) or opens the gate for `advance`.
    public static func approve(
        _ state: ReleaseState, by actor: String, at time: Date, comment: String? = nil,
        approverGroups: Set<String>? = nil
    ) throws(CommandError) -> LifecycleOutcome {
        let gate = try requireOpenDecision(state, by: actor, approverGroups: approverGroups)
        var next = state
        next.approvals.append(ApprovalDecision(phase: state.phase, actor: actor, verdict: .approved, at: time, reason: comment))
        let open = next.isGateOpen
        let target: ReleaseStatus = open && state.status == .pendingApproval ? .inProgress : state.status
        next.status = target
        next.history.append(record(.approved, state, actor, time, to: target, reason: comment))
        let approved = ReleaseApproved(
            releaseKey: state.key, actor: actor, phase: state.phase, approvals: next.approvalCount,
            requiredApprovals: gate.requiredApprovals, gateOpen: open, comment: comment)
        var events: [ReleaseEvent] = [.approved(approved)]
        if target != state.status { events.append(statusChanged(state, actor, to: target)) }
        return LifecycleOutcome(state: next, events: events)
    }

    /// Rejects the release at the current phase's gate: `rejected`, terminal. The reason is required.
    public static func reject(
        _ state: ReleaseState, by actor: String, at time: Date, reason: String,
        approverGroups: Set<String>? = nil
    ) throws(CommandError) -> LifecycleOutcome {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw CommandError(
                .validation, "a rejection needs a reason", rule: "approval.reason_required",
                fields: ["reason": "must not be empty"])
        }
        _ = try requireOpenDecision(state, by: actor, approverGroups: approverGroups)
        var next = state
        next.approvals.append(ApprovalDecision(phase: state.phase, actor: actor, verdict: .rejected, at: time, reason: trimmed))
        next.status = .rejected
        next.history.append(record(.rejected, state, actor, time, to: .rejected, reason: trimmed))
        let rejected = ReleaseRejected(releaseKey: state.key, actor: actor, phase: state.phase, reason: trimmed)
        return LifecycleOutcome(
            state: next, events: [.rejected(rejected), statusChanged(state, actor, to: .rejected, reason: trimmed)])
    }

    /// The longest reason or comment a lifecycle command may carry, in characters.
    public static let maxReasonLength = 2_000

    /// Reasons and comments are what people type: at most ``maxReasonLength`` characters, no
    /// control characters but line breaks and tabs (a NUL would otherwise reach the database
    /// and fail there, over and over, instead of coming back as a refusal at once).
    static func requireWellFormedText(_ command: LifecycleCommand) throws(CommandError) {
        var rules = ReleaseFieldRules()
        switch command {
        case .approve(let comment, _): rules.text(comment, field: "comment", limit: maxReasonLength)
        case .reject(let reason, _), .backOut(let reason): rules.text(reason, field: "reason", limit: maxReasonLength)
        case .hold(let reason), .cancel(let reason): rules.text(reason, field: "reason", limit: maxReasonLength)
        case .submit, .advance, .resume, .close: break
        }
        try rules.check("the command's text is not acceptable")
    }
}
