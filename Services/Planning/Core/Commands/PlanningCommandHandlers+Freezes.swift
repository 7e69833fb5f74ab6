import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    func registerFreezes(into handlers: inout MessageHandlers) {
        handlers.onPlanningCommand(SaveFreezeWindow.self) { envelope, context in try await saveFreezeWindow(envelope, context) }
        handlers.onPlanningCommand(DeleteFreezeWindow.self) { envelope, context in
            guard let name = try await FreezeWindowRepository(schema: schema).delete(envelope.payload.id, in: context.transaction) else {
                throw CommandError(.notFound, "no freeze window with that id", rule: "freezes.exists", fields: ["id": "unknown"])
            }
            try await recordConfiguration("freeze_window", envelope.payload.id.uuidString.lowercased(), "deleted", envelope.actor, context,
                                          details: ["name": name])
            return FreezeWindowDeleted(id: envelope.payload.id, name: name)
        }
        handlers.onPlanningCommand(OverrideDeploymentGuards.self) { envelope, context in try await overrideDeploymentGuards(envelope, context) }
    }

    /// `planning.save_freeze_window`: checks the window and stores it (new, or replacing the
    /// one with its id), audited on the configuration chain. Releases already scheduled into a
    /// new blackout meet it when they are approved or enter `deploy`.
    func saveFreezeWindow(_ envelope: Envelope<SaveFreezeWindow>, _ context: HandlerContext) async throws -> FreezeWindowSummary {
        let window = try FreezeWindow(envelope.payload, id: envelope.payload.id ?? UUID())
        let created = try await FreezeWindowRepository(schema: schema).save(window, by: envelope.actor, in: context.transaction)
        let summary = window.summary
        try await recordConfiguration(
            "freeze_window", window.id.uuidString.lowercased(), created ? "created" : "updated", envelope.actor, context,
            details: ["name": window.name, "kind": window.kind.rawValue, "timeZone": summary.timeZone,
                      "sites": summary.sites.joined(separator: ","), "ciClasses": summary.ciClasses.joined(separator: ",")])
        return summary
    }

    /// `planning.override_deployment_guards`: a release manager's override of every blackout and
    /// collision that stands in the way of the release's deployment now (its scheduled window
    /// while that lies ahead, else a deployment starting now), recorded and audited.
    func overrideDeploymentGuards(_ envelope: Envelope<OverrideDeploymentGuards>, _ context: HandlerContext) async throws -> DeploymentGuardReport {
        let command = envelope.payload
        let releases = ReleaseRepository(schema: schema)
        var (record, state) = try await releases.lockWithState(command.releaseKey, in: context.transaction)
        try ReleaseLifecycle.requireNotTerminal(state)
        let now = Date()
        guard let check = try await DeploymentGuardReader(schema: schema).assess(
            record.schedule, over: .overriding(now), checkingCollisions: true, in: context.transaction)
        else { preconditionFailure("collisions asked for: the reader always assesses") }
        let override = try check.newOverride(
            by: envelope.actor, isReleaseManager: command.asReleaseManager, reason: command.reason,
            scheduledStart: record.scheduledStart, scheduledEnd: record.scheduledEnd, at: now)
        try await recordOverride(override, on: &record, context)
        try await releases.save(record, in: context.transaction)
        return DeploymentGuard(conflicts: check.conflicts, collisions: check.collisions, override: override).report(for: record.key)
    }
}
