import Contracts
import Foundation

/// A release manager's decision to deploy despite what stands in the way: the blackout windows
/// and colliding releases it covers, for the schedule the release had when it was given.
///
/// A stored override covers a blackout or collision only while the release keeps that
/// schedule, and only the windows and releases it names: a window added later, a new collision
/// or a rescheduled release needs a new override, so nobody's "yes" stretches to a risk they
/// never saw.
public struct DeploymentOverride: Sendable, Hashable {
    public let actor: String
    /// Checked as ``FreezeOverride`` checks it: required, 1 to 500 characters.
    public let reason: String
    public let scheduledStart: Date?
    public let scheduledEnd: Date?
    public let windows: Set<UUID>
    public let releases: Set<String>
    public let recordedAt: Date

    public init(actor: String, reason: String, scheduledStart: Date?, scheduledEnd: Date?, windows: Set<UUID>,
                releases: Set<String>, recordedAt: Date) {
        self.actor = actor
        self.reason = reason
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.windows = windows
        self.releases = releases
        self.recordedAt = recordedAt
    }

    /// Whether it still speaks for a release scheduled `start`–`end`.
    public func applies(toScheduleFrom start: Date?, to end: Date?) -> Bool {
        scheduledStart == start && scheduledEnd == end
    }
}
