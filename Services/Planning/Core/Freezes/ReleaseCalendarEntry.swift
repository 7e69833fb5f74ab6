import Foundation

/// A release as the calendar feed shows it: plain values, so the feed needs no repository.
public struct ReleaseCalendarEntry: Sendable, Hashable {
    /// The release key, e.g. `REL-2025-0042`; it makes the event's UID, so it must not change.
    public var key: String
    public var title: String
    public var scheduledStart: Date
    public var scheduledEnd: Date
    /// Phase and status as people read them, e.g. `deploy, in progress`.
    public var status: String

    public init(key: String, title: String, scheduledStart: Date, scheduledEnd: Date, status: String) {
        self.key = key
        self.title = title
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.status = status
    }
}
