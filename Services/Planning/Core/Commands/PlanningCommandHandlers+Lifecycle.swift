import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    func registerLifecycle(into handlers: inout MessageHandlers) {
        handlers.onPlanningCommand(SubmitRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { record, state in
                try await requireReachableGates(record.key, state, submitter: envelope.actor, in: context.transaction)
                return .submit
            }
        }
        handlers.onPlanningCommand(ApproveRelease.self) { envelope, context in
            let groups = try await ApproverGroups(schema: schema).groups(of: envelope.actor, in: context.transaction)
            return try await apply(to: envelope.payload.releaseKey, envelope, context) { record, _ in
                try await requireDeploymentClear(record, at: .approving, in: context.transaction)
                return .approve(comment: envelope.payload.comment, approverGroups: groups)
            }
        }
        handlers.onPlanningCommand(RejectRelease.self) { envelope, context in
            let groups = try await ApproverGroups(schema: schema).groups(of: envelope.actor, in: context.transaction)
            return try await apply(to: envelope.payload.releaseKey, envelope, context) { _, _ in
                .reject(reason: envelope.payload.reason, approverGroups: groups)
            }
        }
        handlers.onPlanningCommand(AdvanceRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { record, state in
                if state.phase.next == .deploy { try await requireDeploymentClear(record, at: .deployStart, in: context.transaction) }
                return .advance(exitCriteria: try await exitCriteria(of: record, in: context.transaction))
            }
        }
        handlers.onPlanningCommand(HoldRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { _, _ in .hold(reason: envelope.payload.reason) }
        }
        handlers.onPlanningCommand(ResumeRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { _, _ in .resume }
        }
        handlers.onPlanningCommand(CancelRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { _, _ in .cancel(reason: envelope.payload.reason) }
        }
        handlers.onPlanningCommand(BackOutRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { _, _ in .backOut(reason: envelope.payload.reason) }
        }
        handlers.onPlanningCommand(CloseRelease.self) { envelope, context in
            try await apply(to: envelope.payload.releaseKey, envelope, context) { record, _ in
                .close(exitCriteria: try await exitCriteria(of: record, in: context.transaction))
            }
        }
    }

    /// At submit, every gate of the release must be passable: its group needs as many
    /// members as approvals asked, not counting the release's parties (the submitter among
    /// them), who may not decide. Otherwise the release would stall at that gate.
    private func requireReachableGates(
        _ key: String, _ state: ReleaseState, submitter: String, in transaction: PostgresTransaction
    ) async throws {
        var state = state
        guard state.status == .draft else { return }  // the lifecycle refuses the submit itself
        state.addParty(submitter)
        let eligible = try await memberCounts(of: state.gates, excluding: state.parties, in: transaction)
        let unreachable = GatePolicy.unreachable(state.gates, eligible: eligible)
        guard unreachable.isEmpty else {
            throw CommandError(
                .conflict, "\(key) has a gate its approver group cannot pass; add members first",
                rule: "approval.gate_unreachable", fields: unreachable)
        }
    }

    /// The configured exit criteria of the release's current phase, evaluated now. A phase this
    /// version does not know has none configured here; the lifecycle rules refuse to act on it.
    private func exitCriteria(of record: ReleaseRecord, in transaction: PostgresTransaction) async throws -> [ExitCriterionResult] {
        try await ExitCriteriaEvaluator(schema: schema).evaluate(record, leaving: ReleasePhase(rawValue: record.phase), in: transaction)
    }

    /// Locks the release, checks the sender saw it as it is (`StaleViewRule`), applies the
    /// lifecycle command `makeCommand` builds from it, audits every event the rules produced
    /// (with the comment or reason given), saves with the new audit head and publishes them.
    private func apply<Command: CommandContract>(
        to key: String, _ envelope: Envelope<Command>, _ context: HandlerContext,
        _ makeCommand: (ReleaseRecord, ReleaseState) async throws -> LifecycleCommand
    ) async throws -> ReleaseSummary {
        let transaction = context.transaction
        let releases = ReleaseRepository(schema: schema)
        var (record, state) = try await releases.lockWithState(key, in: transaction)
        if let seen = envelope.payload as? any ReleaseViewExpectation {
            try StaleViewRule.require(seen, phase: state.phase, status: state.status, version: record.version)
        }
        let command = try await makeCommand(record, state)
        let outcome = try ReleaseLifecycle.apply(command, to: state, by: envelope.actor, at: Date())
        try await recordOutcome(outcome, of: command, from: state, actor: envelope.actor, into: &record, context)
        // An approval may have opened the gate an auto-advancing release was waiting for.
        try await advanceAutomatically(&record, context)
        try await releases.save(record, in: transaction)
        var summary = try ContractCoding.decode(ReleaseState.self, from: record.state).summary
        if !outcome.warnings.isEmpty {
            summary.warnings = outcome.warnings.map { "\($0.name): \($0.detail ?? "failed")" }
        }
        return summary
    }

    /// Writes a lifecycle outcome into the locked record: its phase, status and state, an
    /// audit entry per event (with the command's notes), the events; entering or resuming a
    /// phase starts its ready automated tasks. The caller saves the record.
    func recordOutcome(
        _ outcome: LifecycleOutcome, of command: LifecycleCommand, from state: ReleaseState, actor: String,
        into record: inout ReleaseRecord, _ context: HandlerContext
    ) async throws {
        let before = ["from": "\(record.phase)/\(record.status)"]
        record.phase = outcome.state.phase.rawValue
        record.status = outcome.state.status.rawValue
        record.state = try ContractCoding.encode(outcome.state)
        var details = before.merging(command.auditNotes) { $1 }
        if !outcome.warnings.isEmpty { details["warnings"] = outcome.warnings.map(\.name).joined(separator: ",") }
        let heads = try await appendAudit(
            to: &record, actor: actor, outcome.events.map { ($0.messageType, details) }, in: context.transaction)
        // All of the command's events in one outbox statement, in the order the rules gave them.
        try await context.publish(outcome.events.map(\.payload), correlationId: record.key, auditHeads: heads)
        if outcome.state.status == .inProgress, outcome.state.phase != state.phase || state.status != .inProgress,
           var plan = try await WorkPlanRepository(schema: schema).load(record.key, in: context.transaction) {
            try await dispatchAutomatedTasks(&plan, &record, context)
        }
        // A finished release leaves no task open; one audit entry names what was cancelled.
        if outcome.state.status.isTerminal, !state.status.isTerminal,
           var plan = try await WorkPlanRepository(schema: schema).load(record.key, in: context.transaction) {
            let cancelled = plan.cancelOpenTasks(at: Date())
            guard !cancelled.isEmpty else { return }
            try await WorkPlanRepository(schema: schema).saveStates(
                of: cancelled.compactMap { plan[$0] }, releaseKey: record.key, in: context.transaction)
            let listed = cancelled.prefix(50).joined(separator: ",") + (cancelled.count > 50 ? ",…" : "")
            _ = try await appendAudit(
                to: &record, actor: actor, [("release.tasks_cancelled", ["count": String(cancelled.count), "tasks": listed])],
                in: context.transaction)
        }
    }

    /// For a release set to auto-advance: leaves its phase as planning while the exit
    /// criteria and the gate allow (at most once per phase); stops at the first refusal.
    /// `current` is `record.state` already decoded, when the caller has it (it saves a
    /// decode on every task action).
    func advanceAutomatically(_ record: inout ReleaseRecord, current: ReleaseState? = nil, _ context: HandlerContext) async throws {
        var known = current
        for _ in ReleasePhase.allCases {
            let state = try known ?? ContractCoding.decode(ReleaseState.self, from: record.state)
            known = nil
            guard state.autoAdvance, state.status == .inProgress else { return }
            // Entering `deploy` by itself meets the same guards as by hand; a refusal holds it where it is.
            if state.phase.next == .deploy {
                do { try await requireDeploymentClear(record, at: .deployStart, in: context.transaction) } catch is CommandError { return }
            }
            let command = LifecycleCommand.advance(exitCriteria: try await exitCriteria(of: record, in: context.transaction))
            guard let outcome = try? ReleaseLifecycle.apply(command, to: state, by: WorkPlan.planningActor, at: Date()) else { return }
            try await recordOutcome(outcome, of: command, from: state, actor: WorkPlan.planningActor, into: &record, context)
        }
    }
}
