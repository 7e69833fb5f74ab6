import Contracts
import Foundation

/// The rule at the three moments a deployment is decided on (scheduling it, approving the
/// release, entering `deploy`): blackouts that the deployment falls in and unresolved
/// collisions stop it, unless a release manager's override covers each of them.
///
/// Pure: the conflicts, collisions and the override on record come in; what still stands in
/// the way, or a refusal, comes out. What a refusal says tells the user how to proceed.
public struct DeploymentGuard: Sendable {
    public var conflicts: [FreezeOccurrence]
    public var collisions: [ReleaseCollision]
    /// The override on record, already checked to apply to the release's current schedule.
    public var override: DeploymentOverride?

    public init(conflicts: [FreezeOccurrence], collisions: [ReleaseCollision], override: DeploymentOverride?) {
        self.conflicts = conflicts
        self.collisions = collisions
        self.override = override
    }

    /// Blackout occurrences the override does not cover.
    public var uncoveredConflicts: [FreezeOccurrence] {
        conflicts.filter { !(override?.windows.contains($0.windowID) ?? false) }
    }

    /// Collisions the override does not cover.
    public var uncoveredCollisions: [ReleaseCollision] {
        collisions.filter { !(override?.releases.contains($0.otherKey) ?? false) }
    }

    /// Refuses with `freezes.blackout` (conflict) while a blackout is uncovered, and, when
    /// `checkingCollisions`, with `collisions.unresolved` (conflict) while a collision is.
    /// `moment` says what was refused, e.g. "approving REL-000002".
    public func require(_ moment: String, checkingCollisions: Bool) throws(CommandError) {
        let blackouts = uncoveredConflicts
        if !blackouts.isEmpty {
            var seen: Set<UUID> = []
            let named = blackouts.filter { seen.insert($0.windowID).inserted }
            var fields: [String: String] = [:]
            for occurrence in named { fields["window.\(occurrence.windowID.uuidString.lowercased())"] = "'\(occurrence.windowName)' \(occurrence.localDescription)" }
            throw CommandError(
                .conflict,
                "\(moment) is refused: the deployment falls in a blackout (\(named.map { "'\($0.windowName)' \($0.localDescription)" }.joined(separator: "; "))); "
                    + "a release manager may override with a reason",
                rule: "freezes.blackout", fields: fields)
        }
        let open = uncoveredCollisions
        if checkingCollisions, !open.isEmpty {
            var fields: [String: String] = [:]
            for collision in open { fields["collision.\(collision.otherKey)"] = "shares \(collision.sharedCIs.count) CI(s), e.g. \(collision.sharedCIs.prefix(3).joined(separator: ", "))" }
            throw CommandError(
                .conflict,
                "\(moment) is refused: unresolved collision with \(open.map(\.otherKey).joined(separator: ", ")); "
                    + "reschedule, or a release manager may override with a reason",
                rule: "collisions.unresolved", fields: fields)
        }
    }

    /// The override a release manager gives now: it covers every blackout and collision that
    /// stands in the way. Refuses `freezes.override_role` (forbidden) for anyone else,
    /// `freezes.override_reason` for a missing or malformed reason, `deployment_guards.clear`
    /// (conflict) when nothing stands in the way, and `deployment_guards.already_overridden`
    /// (conflict) when the override on record covers it all already (a second click, say):
    /// an override of nothing new would be noise in the trail.
    public func newOverride(
        by actor: String, isReleaseManager: Bool, reason: String, scheduledStart: Date?, scheduledEnd: Date?, at now: Date
    ) throws(CommandError) -> DeploymentOverride {
        let checked = try FreezeOverride(actor: actor, reason: reason)
        guard isReleaseManager else {
            throw CommandError(.forbidden, "only a release manager may override blackouts and collisions", rule: "freezes.override_role",
                               fields: ["actor": "is not a release manager"])
        }
        guard !conflicts.isEmpty || !collisions.isEmpty else {
            throw CommandError(.conflict, "nothing stands in the way of this deployment: no blackout, no collision", rule: "deployment_guards.clear")
        }
        guard !uncoveredConflicts.isEmpty || !uncoveredCollisions.isEmpty else {
            throw CommandError(.conflict, "the override on record already covers every blackout and collision in the way",
                               rule: "deployment_guards.already_overridden")
        }
        return DeploymentOverride(
            actor: checked.actor, reason: checked.reason, scheduledStart: scheduledStart, scheduledEnd: scheduledEnd,
            windows: Set(conflicts.map(\.windowID)), releases: Set(collisions.map(\.otherKey)), recordedAt: now)
    }
}
