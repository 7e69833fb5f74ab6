import Contracts
import Foundation
import Messaging
import Postgres

/// The moments a deployment is decided on, and what may stop it (`DeploymentGuard`):
/// scheduling (blackouts), approving (blackouts), entering `deploy` (blackouts at that moment,
/// and collisions). A release manager's override on record, or one given with the schedule,
/// lets it pass.
extension PlanningCommandHandlers {
    /// Which guards a moment applies.
    enum DeploymentMoment {
        /// The release gets a new schedule.
        case scheduling
        /// Someone approves the release (only a scheduled deployment is checked).
        case approving
        /// The release enters `deploy` now.
        case deployStart

        var checksCollisions: Bool { self == .deployStart }
    }

    /// The guard for the locked release at `moment`, or nil when nothing could stand in the way
    /// (an unscheduled release being approved or scheduled; no blackout defined and no collision checked).
    func deploymentGuard(
        for record: ReleaseRecord, at moment: DeploymentMoment, now: Date = Date(), in transaction: PostgresTransaction
    ) async throws -> DeploymentGuard? {
        if moment != .deployStart, record.scheduledStart == nil { return nil }
        return try await DeploymentGuardReader(schema: schema).assess(
            record.schedule, over: moment == .deployStart ? .startingNow(now) : .scheduled, checkingCollisions: moment.checksCollisions,
            in: transaction)
    }

    /// Refuses `moment` for the locked release while a blackout (or, entering `deploy`, a
    /// collision) stands in the way uncovered.
    func requireDeploymentClear(_ record: ReleaseRecord, at moment: DeploymentMoment, in transaction: PostgresTransaction) async throws {
        guard let check = try await deploymentGuard(for: record, at: moment, in: transaction) else { return }
        let what = switch moment {
        // A release being created has no key its user knows yet: it is named by its title.
        case .scheduling: "scheduling '\(record.title)'"
        case .approving: "approving \(record.key)"
        case .deployStart: "starting the deployment of \(record.key)"
        }
        try check.require(what, checkingCollisions: moment.checksCollisions)
    }

    /// After a new schedule: refuses it inside a blackout unless a release manager gave a
    /// reason with it (then records that override, audited); reports collisions either way.
    func guardSchedule(
        _ record: inout ReleaseRecord, overrideReason: String?, asReleaseManager: Bool, actor: String, _ context: HandlerContext
    ) async throws {
        if let reason = overrideReason, let check = try await deploymentGuard(for: record, at: .scheduling, in: context.transaction),
           !check.uncoveredConflicts.isEmpty {
            let override = try check.newOverride(
                by: actor, isReleaseManager: asReleaseManager, reason: reason,
                scheduledStart: record.scheduledStart, scheduledEnd: record.scheduledEnd, at: Date())
            try await recordOverride(override, on: &record, context)
        } else {
            try await requireDeploymentClear(record, at: .scheduling, in: context.transaction)
        }
        try await reportCollisions(of: &record, actor: actor, context)
    }

    /// Audits and announces the release's collisions, if it has any now (after its schedule,
    /// changes or CIs changed); the other releases hear of it through their own event.
    func reportCollisions(of record: inout ReleaseRecord, actor: String, _ context: HandlerContext) async throws {
        guard record.scheduledStart != nil else { return }
        let footprints = ReleaseFootprints(schema: schema)
        let collisions = try await footprints.collisions(of: try await footprints.footprint(of: record.schedule, in: context.transaction), in: context.transaction)
        guard !collisions.isEmpty else { return }
        let others = collisions.map(\.otherKey)
        let heads = try await appendAudit(
            to: &record, actor: actor,
            [(ReleaseCollisionsFound.messageType, ["collidesWith": others.joined(separator: ","),
                                                   "sharedCIs": String(collisions.map(\.sharedCIs.count).reduce(0, +))])],
            in: context.transaction)
        try await context.publish(
            ReleaseCollisionsFound(releaseKey: record.key, actor: actor, collidesWith: others), correlationId: record.key, auditHead: heads.first)
        for other in others {
            try await context.publish(ReleaseCollisionsFound(releaseKey: other, actor: actor, collidesWith: [record.key]), correlationId: other)
        }
    }

    /// Stores the override as the release's one on record, audited and announced.
    func recordOverride(_ override: DeploymentOverride, on record: inout ReleaseRecord, _ context: HandlerContext) async throws {
        try await DeploymentOverrideRepository(schema: schema).save(override, releaseKey: record.key, in: context.transaction)
        let windows = override.windows.sorted { $0.uuidString < $1.uuidString }
        let releases = override.releases.sorted()
        let heads = try await appendAudit(
            to: &record, actor: override.actor,
            [(DeploymentGuardsOverridden.messageType, [
                "reason": override.reason, "windows": windows.map { $0.uuidString.lowercased() }.joined(separator: ","),
                "collidesWith": releases.joined(separator: ","),
            ])], in: context.transaction)
        try await context.publish(
            DeploymentGuardsOverridden(releaseKey: record.key, actor: override.actor, reason: override.reason, windows: windows, collidesWith: releases),
            correlationId: record.key, auditHead: heads.first)
    }
}
