import Contracts
import Foundation

// The guards shared by the commands, each throwing the rule it enforces.
extension ReleaseLifecycle {
    /// `lifecycle.terminal_status`: nothing changes a rejected, cancelled, backed-out or completed release.
    /// `lifecycle.unknown_state`: nor one whose phase or status this version does not know (a newer
    /// version wrote it): acting on it could undo what that version decided.
    static func requireNotTerminal(_ state: ReleaseState) throws(CommandError) {
        guard state.phase.isKnown, state.status.isKnown else {
            throw CommandError(
                .conflict, "\(state.key) is in a phase or status this version of planning does not know; a newer version must handle it",
                rule: "lifecycle.unknown_state")
        }
        guard !state.status.isTerminal else {
            throw CommandError(
                .conflict, "\(state.key) is \(state.status.rawValue), a final status; it can no longer change",
                rule: "lifecycle.terminal_status")
        }
    }

    /// `lifecycle.not_in_progress`.
    static func requireInProgress(_ state: ReleaseState, to verb: String) throws(CommandError) {
        guard state.status == .inProgress else {
            throw CommandError(
                .conflict, "only a release in progress can \(verb); \(state.key) is \(describe(state))",
                rule: "lifecycle.not_in_progress")
        }
    }

    /// `lifecycle.gate_not_approved`: the current phase's gate must be open to leave it.
    static func requireGateOpen(_ state: ReleaseState) throws(CommandError) {
        guard let gate = state.currentGate, !state.isGateOpen else { return }
        throw CommandError(
            .conflict,
            "the \(state.phase.rawValue) gate of \(state.key) has \(state.approvalCount) of \(gate.requiredApprovals) approval(s) from \(gate.approverGroup)",
            rule: "lifecycle.gate_not_approved")
    }

    /// Checks a decision (approve or reject) may be taken now by `actor`, a member of
    /// `approverGroups` (nil: membership not known here, checked by the caller); returns the gate.
    static func requireOpenDecision(
        _ state: ReleaseState, by actor: String, approverGroups: Set<String>?
    ) throws(CommandError) -> ApprovalGate {
        try requireNotTerminal(state)
        guard state.status == .pendingApproval || state.status == .inProgress else {
            throw CommandError(
                .conflict, "\(state.key) is \(describe(state)); approvals are taken when pending approval or in progress",
                rule: "approval.not_awaiting_approval")
        }
        guard let gate = state.currentGate else {
            throw CommandError(
                .conflict, "the \(state.phase.rawValue) phase of \(state.key) has no approval gate",
                rule: "approval.no_gate")
        }
        guard !state.isParty(actor) else {
            throw CommandError(
                .forbidden,
                "\(actor) took part in \(state.key) (as its creator, submitter, requester or coordinator) and so cannot approve or reject it",
                rule: "approval.segregation_of_duties")
        }
        if let approverGroups, !approverGroups.contains(gate.approverGroup) {
            throw CommandError(
                .forbidden, "\(actor) is not in \(gate.approverGroup), the approver group of the \(state.phase.rawValue) gate",
                rule: "approval.not_in_approver_group")
        }
        guard !ApprovalDecision.hasDecided(actor, at: state.phase, in: state.approvals) else {
            throw CommandError(
                .conflict, "\(actor) has already decided on the \(state.phase.rawValue) phase of \(state.key)",
                rule: "approval.already_approved")
        }
        guard !state.isGateOpen else {
            throw CommandError(
                .conflict, "the \(state.phase.rawValue) gate of \(state.key) already has its \(gate.requiredApprovals) approval(s)",
                rule: "approval.gate_already_open")
        }
        return gate
    }

    /// `lifecycle.exit_criteria_failed`: throws listing every failing `error` criterion;
    /// otherwise returns the failing warnings.
    static func requireExitCriteria(
        _ criteria: [ExitCriterionResult], of state: ReleaseState
    ) throws(CommandError) -> [ExitCriterionResult] {
        let failing = criteria.filter { !$0.passed }
        let errors = failing.filter { $0.severity == .error }
        guard errors.isEmpty else {
            var fields: [String: String] = [:]
            for criterion in failing {
                fields[criterion.name] = "\(criterion.severity.rawValue): \(criterion.detail ?? "failed")"
            }
            let names = errors.map(\.name).joined(separator: ", ")
            throw CommandError(
                .conflict, "\(state.key) cannot leave \(state.phase.rawValue): exit criteria failed: \(names)",
                rule: "lifecycle.exit_criteria_failed", fields: fields)
        }
        return failing
    }

    /// A history record of an action taken on `state`.
    static func record(
        _ action: LifecycleRecord.Action, _ state: ReleaseState, _ actor: String, _ time: Date,
        to target: ReleaseStatus, reason: String? = nil
    ) -> LifecycleRecord {
        LifecycleRecord(
            action: action, actor: actor, at: time, phase: state.phase, fromStatus: state.status,
            toStatus: target, reason: reason)
    }

    /// The `release.status_changed` event for leaving `state.status`.
    static func statusChanged(
        _ state: ReleaseState, _ actor: String, to target: ReleaseStatus, reason: String? = nil
    ) -> ReleaseEvent {
        .statusChanged(
            ReleaseStatusChanged(
                releaseKey: state.key, actor: actor, phase: state.phase, from: state.status, to: target, reason: reason))
    }

    /// "phase/status", e.g. `plan/on_hold`, for messages.
    static func describe(_ state: ReleaseState) -> String {
        "\(state.phase.rawValue)/\(state.status.rawValue)"
    }
}
