import Contracts
import Foundation

/// The freeze rule for deployments: scheduling, approving or starting a deployment inside a
/// blackout is refused, unless a release manager overrides it with a reason.
///
/// - Pure: the windows, the deployment and the actor's role come in; a clearance or a refusal
///   comes out. The deploy phase calls it again at the moment it starts, because windows may
///   have been added since the deployment was scheduled.
/// - Only blackouts refuse, and a scoped blackout only deployments touching its sites or CI classes.
/// - A refusal names every conflicting window with its time on the window's own wall clock.
public struct FreezeCheck: Sendable {
    public var windows: [FreezeWindow]

    public init(windows: [FreezeWindow]) {
        self.windows = windows
    }

    /// The blackout occurrences the deployment overlaps, earliest first. Throws
    /// `freezes.deployment_interval` when the deployment does not end after it starts, and
    /// `freezes.expansion_limit` when it lasts longer than ``FreezeCalendar/maximumRange``.
    public func conflicts(with deployment: ProposedDeployment) throws(CommandError) -> [FreezeOccurrence] {
        guard deployment.end > deployment.start else {
            throw CommandError(
                .validation, "a deployment must end after it starts", rule: "freezes.deployment_interval",
                fields: ["scheduledEnd": "must be after scheduledStart"])
        }
        var conflicts: [FreezeOccurrence] = []
        for window in windows where window.kind == .blackout && window.scope.covers(sites: deployment.sites, ciClasses: deployment.ciClasses) {
            conflicts += try FreezeCalendar.occurrences(of: window, from: deployment.start, to: deployment.end)
        }
        return conflicts.sorted { ($0.start, $0.windowName) < ($1.start, $1.windowName) }
    }

    /// Whether the deployment may go ahead:
    /// - no conflict: ``FreezeClearance/clear`` (an override given anyway is not needed and not recorded);
    /// - conflicts without an override: `freezes.blackout` (conflict), naming the windows;
    /// - conflicts with an override by someone who is not a release manager: `freezes.override_role` (forbidden);
    /// - conflicts with a release manager's override: ``FreezeClearance/overridden(_:conflicts:)``.
    public func clearance(for deployment: ProposedDeployment, override: FreezeOverride?, isReleaseManager: Bool) throws(CommandError) -> FreezeClearance {
        let conflicts = try conflicts(with: deployment)
        guard !conflicts.isEmpty else { return .clear }
        guard let override else {
            throw CommandError(
                .conflict, "the deployment falls in a blackout: \(Self.describe(conflicts)); a release manager may override with a reason",
                rule: "freezes.blackout", fields: Self.fields(conflicts))
        }
        guard isReleaseManager else {
            throw CommandError(
                .forbidden, "only a release manager may override a blackout: \(Self.describe(conflicts))",
                rule: "freezes.override_role", fields: ["actor": "'\(override.actor)' is not a release manager"])
        }
        return .overridden(override, conflicts: conflicts)
    }

    /// `'Year end' 2025-12-20 00:00 – 2026-01-05 00:00 Europe/Berlin; …`, the first occurrence of each window.
    private static func describe(_ conflicts: [FreezeOccurrence]) -> String {
        firstPerWindow(conflicts).map { "'\($0.windowName)' \($0.localDescription)" }.joined(separator: "; ")
    }

    /// `window.<id>` → the window's name and first conflicting occurrence, with how many more there are.
    private static func fields(_ conflicts: [FreezeOccurrence]) -> [String: String] {
        var fields: [String: String] = [:]
        for first in firstPerWindow(conflicts) {
            let more = conflicts.count(where: { $0.windowID == first.windowID }) - 1
            fields["window.\(first.windowID.uuidString.lowercased())"] =
                "'\(first.windowName)' \(first.localDescription)" + (more > 0 ? " and \(more) more" : "")
        }
        return fields
    }

    private static func firstPerWindow(_ conflicts: [FreezeOccurrence]) -> [FreezeOccurrence] {
        var seen: Set<UUID> = []
        return conflicts.filter { seen.insert($0.windowID).inserted }
    }
}
