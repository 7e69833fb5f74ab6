import Contracts
import Foundation
import Postgres

/// Gathers, in the caller's transaction, what the deployment guard of a release needs: the
/// blackouts its deployment falls in, its collisions, and the override on record for its
/// current schedule. The handlers (which lock the release first) and the queries share it.
public struct DeploymentGuardReader: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Which window the freeze check covers.
    public enum Window: Sendable {
        /// The release's schedule (nothing is checked for an unscheduled release).
        case scheduled
        /// A deployment starting `now` (``DeploymentWindow/startingNow(_:footprint:)``).
        case startingNow(Date)
        /// What an override given `now` covers (``DeploymentWindow/forOverride(at:footprint:)``).
        case overriding(Date)
    }

    /// The guard for `release` over `window`, with its collisions when `checkingCollisions`;
    /// nil when nothing could stand in the way (no blackout defined and no collisions asked for).
    public func assess(
        _ release: ReleaseSchedule, over window: Window, checkingCollisions: Bool, in transaction: PostgresTransaction
    ) async throws -> DeploymentGuard? {
        let blackouts = try await FreezeWindowRepository(schema: schema).all(kind: .blackout, in: transaction)
        guard !blackouts.isEmpty || checkingCollisions else { return nil }
        let footprints = ReleaseFootprints(schema: schema)
        let footprint = try await footprints.footprint(of: release, in: transaction)
        let interval: DateInterval? = switch window {
        case .scheduled: footprint.window
        case .startingNow(let now): DeploymentWindow.startingNow(now, footprint: footprint)
        case .overriding(let now): DeploymentWindow.forOverride(at: now, footprint: footprint)
        }
        let conflicts = try footprint.deployment(over: interval).map { deployment throws(CommandError) in
            try FreezeCheck(windows: blackouts).conflicts(with: deployment)
        } ?? []
        let collisions = checkingCollisions ? try await footprints.collisions(of: footprint, in: transaction) : []
        let override = try await DeploymentOverrideRepository(schema: schema).override(of: release.key, in: transaction)
        return DeploymentGuard(
            conflicts: conflicts, collisions: collisions,
            override: override.flatMap { $0.applies(toScheduleFrom: release.start, to: release.end) ? $0 : nil })
    }
}
