import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    /// Phases in which the scope of a release (its changes) may still change: after `plan`
    /// the image is built from it.
    static let scopePhases: Set<ReleasePhase> = [.initiate, .plan]

    /// `planning.add_change`: adds an approved change request to a release still being scoped.
    func addChange(_ envelope: Envelope<AddChange>, _ context: HandlerContext) async throws -> ReleaseSummary {
        let input = envelope.payload.change
        let change = try Self.changeRequest(from: input)
        var (record, state) = try await lockScopable(envelope.payload.releaseKey, context)
        try ApprovedScopeRule.require(state, unchangedWhileApproved: ["changes"])
        try await ReleaseChanges(schema: schema).add(change, to: record.key, by: envelope.actor, in: context.transaction)
        let details = [
            "change": change.externalID, "title": change.title, "status": change.status.rawValue, "risk": change.risk.rawValue,
            "affectedCIs": change.affectedCIs.joined(separator: ","),
        ]
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(ReleaseChangeAdded.messageType, details)], in: context.transaction)
        try await reportCollisions(of: &record, actor: envelope.actor, context)
        try await ReleaseRepository(schema: schema).save(record, in: context.transaction)
        try await context.publish(
            ReleaseChangeAdded(
                releaseKey: record.key, actor: envelope.actor, externalId: change.externalID, title: change.title,
                risk: change.risk.rawValue, affectedCIs: change.affectedCIs),
            correlationId: record.key, auditHead: heads.first)
        // Keys the CMDB does not hold (yet) are accepted and named, so the sender can fix them
        // before the exit criterion `affected_cis_identified` asks for them.
        var summary = state.summary
        let unknown = change.affectedCIs.isEmpty
            ? [] : try await CIStore(schema: schema).missingKeys(change.affectedCIs, in: context.transaction)
        if !unknown.isEmpty {
            summary.warnings = ["affectedCIs: not in the CMDB: \(unknown.sorted().joined(separator: ", "))"]
        }
        return summary
    }

    /// `planning.remove_change`: takes a change request out of a release still being scoped.
    func removeChange(_ envelope: Envelope<RemoveChange>, _ context: HandlerContext) async throws -> ReleaseSummary {
        let command = envelope.payload
        var rules = ReleaseFieldRules()
        rules.problem(ChangeRequest.externalIDProblem(command.externalId), field: "externalId")
        rules.text(command.reason, field: "reason", limit: ReleaseLifecycle.maxReasonLength)
        try rules.check("the change cannot be removed as asked")
        var (record, state) = try await lockScopable(command.releaseKey, context)
        try ApprovedScopeRule.require(state, unchangedWhileApproved: ["changes"])
        try await ReleaseChanges(schema: schema).remove(command.externalId, from: record.key, in: context.transaction)
        var details = ["change": command.externalId]
        details["reason"] = command.reason
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(ReleaseChangeRemoved.messageType, details)], in: context.transaction)
        try await reportCollisions(of: &record, actor: envelope.actor, context)
        try await ReleaseRepository(schema: schema).save(record, in: context.transaction)
        try await context.publish(
            ReleaseChangeRemoved(releaseKey: record.key, actor: envelope.actor, externalId: command.externalId, reason: command.reason),
            correlationId: record.key, auditHead: heads.first)
        return state.summary
    }

    /// Locks the release and checks its scope may change: not finished, in `initiate` or `plan`.
    private func lockScopable(_ key: String, _ context: HandlerContext) async throws -> (ReleaseRecord, ReleaseState) {
        let (record, state) = try await ReleaseRepository(schema: schema).lockWithState(key, in: context.transaction)
        try ReleaseLifecycle.requireNotTerminal(state)
        guard Self.scopePhases.contains(state.phase) else {
            throw CommandError(
                .conflict, "\(key) is in \(state.phase.rawValue); changes are added or removed only in initiate or plan",
                rule: "changes.scope_frozen")
        }
        return (record, state)
    }

    /// The change request a command describes; unknown status or risk words are validation errors.
    static func changeRequest(from input: ChangeRequestInput) throws(CommandError) -> ChangeRequest {
        var fields: [String: String] = [:]
        let status = ChangeRequest.Status(rawValue: input.status)
        let risk = ChangeRequest.Risk(rawValue: input.risk)
        if status == nil { fields["status"] = "must be one of \(ChangeRequest.Status.allCases.map(\.rawValue).joined(separator: ", "))" }
        if risk == nil { fields["risk"] = "must be one of \(ChangeRequest.Risk.allCases.map(\.rawValue).joined(separator: ", "))" }
        if input.affectedCIs.count > 1_000 { fields["affectedCIs"] = "at most 1000 CIs per change" }
        guard let status, let risk, fields.isEmpty else {
            throw CommandError(.validation, "the change request is malformed", rule: "changes.well_formed", fields: fields)
        }
        return ChangeRequest(
            externalID: input.externalId, title: input.title, status: status, risk: risk, affectedCIs: input.affectedCIs)
    }
}
