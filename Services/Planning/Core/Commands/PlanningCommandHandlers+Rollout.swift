import Contracts
import Foundation
import Logging
import Messaging
import Postgres

/// shipboard-rollout's events move the release's work plan and the release: a plan becomes
/// its rollout tasks (``WorkPlan/applyRolloutPlan(_:at:)``), a target's transition moves its
/// task (``WorkPlan/recordRolloutOutcome(_:detail:on:at:)``), the rollout's end is recorded
/// and a reversed rollout backs the release out (``RolloutEnding``).
///
/// - Each runs in the consumer's inbox transaction with the release locked: a redelivery has
///   no second effect, and a repeated event (a new message saying the same) changes nothing
///   by the rules themselves.
/// - An event for a release that does not exist, is finished, or (for a plan) has left the
///   deploy phase or has no work plan, is logged and ignored: it is late or stray, not wrong.
///   So is a target event whose task key is not a rollout task of the release.
/// - A malformed plan is refused whole (a `CommandError`, recorded as the message's outcome).
extension PlanningCommandHandlers {
    func registerRollout(into handlers: inout MessageHandlers) {
        handlers.on(RolloutPlannedEvent.self) { envelope, context in try await rolloutPlanned(envelope, context) }
        registerTargetEvent(RolloutTargetSucceeded.self, into: &handlers)
        registerTargetEvent(RolloutTargetFailed.self, into: &handlers)
        registerTargetEvent(RolloutTargetBackedOut.self, into: &handlers)
        registerTargetEvent(RolloutTargetSkipped.self, into: &handlers)
        registerTargetEvent(RolloutTargetExcluded.self, into: &handlers)
        registerTargetEvent(RolloutTargetRetried.self, into: &handlers)
        registerStateEvent(RolloutHalted.self, into: &handlers)
        registerStateEvent(RolloutBackedOut.self, into: &handlers)
        registerStateEvent(RolloutAborted.self, into: &handlers)
        registerStateEvent(RolloutCompleted.self, into: &handlers)
    }

    private func registerTargetEvent<Kind>(_ type: RolloutTargetEvent<Kind>.Type, into handlers: inout MessageHandlers) {
        handlers.on(type) { envelope, context in try await rolloutTargetChanged(envelope, context) }
    }

    private func registerStateEvent<Kind>(_ type: RolloutStateEvent<Kind>.Type, into handlers: inout MessageHandlers) {
        handlers.on(type) { envelope, context in try await rolloutStateChanged(envelope, context) }
    }

    /// `rollout.planned`: the plan's tasks into the release's deploy phase, one audit entry
    /// for the whole plan; the release's version moves with it.
    func rolloutPlanned(_ envelope: Envelope<RolloutPlannedEvent>, _ context: HandlerContext) async throws {
        let event = envelope.payload
        guard var release = try await lockForRollout(event.releaseKey, RolloutPlannedEvent.messageType, context) else { return }
        guard ReleasePhase(rawValue: release.phase) <= .deploy else {
            return ignore(RolloutPlannedEvent.messageType, release.key, because: "the release has left deploy", context)
        }
        let workPlans = WorkPlanRepository(schema: schema)
        guard var plan = try await workPlans.load(release.key, in: context.transaction) else {
            return ignore(RolloutPlannedEvent.messageType, release.key, because: "the release has no work plan", context)
        }
        let change: RolloutPlanChange
        do {
            change = try plan.applyRolloutPlan(event, at: Date())
        } catch {
            // Nobody awaits an event's answer: the log says a plan was refused (by rule only;
            // the message may quote the event's text).
            context.logger.warning("rollout plan refused", metadata: ["release.key": "\(release.key)", "planning.rule": "\(error.rule ?? "-")"])
            throw error
        }
        guard !change.isEmpty else { return }
        try await workPlans.replace(plan, releaseKey: release.key, in: context.transaction)
        var details = change.auditDetails
        details["rolloutId"] = RolloutEnding.recordedId(event.rolloutId)
        details["replaces"] = event.replaces.map(RolloutEnding.recordedId)
        details["image"] = RolloutText.clean(event.image, limit: 200)
        details["tasks"] = String(event.tasks.count)
        _ = try await appendAudit(
            to: &release, actor: PersonID.normalized(envelope.actor), [(RolloutPlannedEvent.messageType, details)],
            in: context.transaction)
        // Tasks no longer planned may have been all that held an auto-advancing release.
        try await advanceAutomatically(&release, context)
        try await ReleaseRepository(schema: schema).save(release, in: context.transaction)
    }

    /// A target's transition: its rollout task moves (and what that readies), audited and
    /// announced as any task change is.
    func rolloutTargetChanged<Kind>(_ envelope: Envelope<RolloutTargetEvent<Kind>>, _ context: HandlerContext) async throws {
        let event = envelope.payload
        guard WorkPlan.isRolloutTaskKey(event.taskKey) else {
            return ignore(Kind.messageType, nil, because: "the task key is no rollout task key", context)
        }
        guard var release = try await lockForRollout(event.releaseKey, Kind.messageType, context),
              var plan = try await WorkPlanRepository(schema: schema).loadNeighbourhood(
                of: event.taskKey, releaseKey: release.key, in: context.transaction),
              let transition = plan.recordRolloutOutcome(Kind.state, detail: event.detail, on: event.taskKey, at: Date())
        else { return }
        try await recordTaskTransition(
            transition, reason: plan[transition.key]?.reason, in: &plan, of: &release, by: PersonID.normalized(envelope.actor), context)
    }

    /// The rollout's halt, backout, abort or completion: recorded once per rollout on the
    /// release's chain; a reversed rollout backs the release out (``RolloutEnding``).
    func rolloutStateChanged<Kind>(_ envelope: Envelope<RolloutStateEvent<Kind>>, _ context: HandlerContext) async throws {
        let event = envelope.payload
        guard var release = try await lockForRollout(event.releaseKey, Kind.messageType, context) else { return }
        let rolloutId = RolloutEnding.recordedId(event.rolloutId)
        let recorded = try await recordedRolloutActions(of: release.key, rolloutId: rolloutId, in: context.transaction)
        guard !recorded.contains(Kind.messageType) else { return }
        let actor = PersonID.normalized(envelope.actor)
        var details = ["rolloutId": rolloutId]
        details["reason"] = RolloutText.clean(event.reason, limit: ReleaseLifecycle.maxReasonLength)
        let counts = event.counts.filter { ConfigurationNames.isValid($0.key) }.sorted { $0.key < $1.key }
        if !counts.isEmpty { details["counts"] = counts.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        _ = try await appendAudit(to: &release, actor: actor, [(Kind.messageType, details)], in: context.transaction)
        if let command = RolloutEnding.command(
            for: Kind.state, reason: event.reason, rolloutId: rolloutId, haltedBefore: recorded.contains(RolloutHalted.messageType)) {
            let state = try ContractCoding.decode(ReleaseState.self, from: release.state)
            do {
                let outcome = try ReleaseLifecycle.apply(command, to: state, by: actor, at: Date())
                try await recordOutcome(outcome, of: command, from: state, actor: actor, into: &release, context)
            } catch let refusal as CommandError {
                // Not in deploy (a rollout started by hand earlier): the entry above records it.
                ignore(Kind.messageType, release.key, because: "the release cannot be backed out (\(refusal.rule ?? "refused"))", context)
            }
        }
        try await ReleaseRepository(schema: schema).save(release, in: context.transaction)
    }

    /// Saves a task's transition and the tasks it readied (given members by their groups'
    /// policy), audits and announces it, starts the automated work it readied, lets an
    /// auto-advancing release move on, and saves the release.
    func recordTaskTransition(
        _ transition: TaskTransition, reason: String?, in plan: inout WorkPlan, of release: inout ReleaseRecord, by actor: String,
        _ context: HandlerContext
    ) async throws {
        let assigned = try await assignGroupTasks(transition.nowReady, in: &plan, context.transaction)
        try await WorkPlanRepository(schema: schema).saveStates(
            of: ([transition.key] + transition.nowReady).compactMap { plan[$0] }, releaseKey: release.key, in: context.transaction)
        var details = ["task": transition.key, "from": transition.from.rawValue, "to": transition.to.rawValue]
        details["reason"] = reason
        if !assigned.isEmpty { details["assigned"] = Self.assignmentDetail(assigned) }
        let heads = try await appendAudit(to: &release, actor: actor, [(TaskChanged.messageType, details)], in: context.transaction)
        try await context.publish(
            TaskChanged(releaseKey: release.key, actor: actor, taskKey: transition.key, from: transition.from, to: transition.to,
                        reason: reason, nowReady: transition.nowReady, assigned: assigned.isEmpty ? nil : assigned),
            correlationId: release.key, auditHead: heads.first)
        try await dispatchAutomatedTasks(&plan, &release, context)
        try await advanceAutomatically(&release, context)
        try await ReleaseRepository(schema: schema).save(release, in: context.transaction)
    }

    /// The release a rollout event names, locked; nil (logged) when the key is malformed, no
    /// release has it, or the release is finished.
    private func lockForRollout(_ key: String, _ type: String, _ context: HandlerContext) async throws -> ReleaseRecord? {
        guard ReleaseKeys.isValid(key) else {
            ignore(type, nil, because: "the release key is malformed", context)
            return nil
        }
        let release: ReleaseRecord
        do {
            release = try await ReleaseRepository(schema: schema).lock(key, in: context.transaction)
        } catch let error as CommandError where error.kind == .notFound {
            ignore(type, key, because: "no such release", context)
            return nil
        }
        guard !ReleaseStatus(rawValue: release.status).isTerminal else {
            ignore(type, key, because: "the release is \(release.status)", context)
            return nil
        }
        return release
    }

    /// The rollout actions (`rollout.halted`, …) the release's chain records for `rolloutId`.
    private func recordedRolloutActions(
        of releaseKey: String, rolloutId: String, in transaction: PostgresTransaction
    ) async throws -> Set<String> {
        let rows = try await transaction.query(
            """
            SELECT DISTINCT action FROM \(identifier: schema).audit_log
            WHERE release_key = \(releaseKey) AND action LIKE 'rollout.%' AND details ->> 'rolloutId' = \(rolloutId)
            """, label: "recorded rollout actions")
        return Set(try rows.map { try $0.decode(at: 0, as: String.self) })
    }

    /// Logs an event that changes nothing; `releaseKey` only when it is a well-formed key.
    private func ignore(_ type: String, _ releaseKey: String?, because reason: String, _ context: HandlerContext) {
        var metadata: Logger.Metadata = ["message.type": "\(type)", "planning.reason": "\(reason)"]
        if let releaseKey { metadata["release.key"] = "\(releaseKey)" }
        context.logger.info("rollout event ignored", metadata: metadata)
    }
}
