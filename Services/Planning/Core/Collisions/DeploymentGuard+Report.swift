import Contracts
import Foundation

extension DeploymentGuard {
    /// The most shared CIs a report lists per collision (the count is always given).
    static let listedSharedCIs = 50

    /// What stands in the way of `releaseKey`'s deployment, each item marked overridden or not.
    public func report(for releaseKey: String) -> DeploymentGuardReport {
        DeploymentGuardReport(
            releaseKey: releaseKey,
            freezes: conflicts.map { occurrence in
                FreezeConflictSummary(
                    windowId: occurrence.windowID, windowName: occurrence.windowName, start: occurrence.start, end: occurrence.end,
                    local: occurrence.localDescription, overridden: override?.windows.contains(occurrence.windowID) ?? false)
            },
            collisions: collisions.map { collision in
                ReleaseCollisionSummary(
                    releaseKey: collision.otherKey, title: collision.otherTitle,
                    sharedCIs: Array(collision.sharedCIs.prefix(Self.listedSharedCIs)), sharedCount: collision.sharedCIs.count,
                    overlapStart: collision.overlap.start, overlapEnd: collision.overlap.end,
                    overridden: override?.releases.contains(collision.otherKey) ?? false)
            },
            overriddenBy: override?.actor, overrideReason: override?.reason)
    }
}
