import Contracts
import Foundation

/// Which release and when it is scheduled: all the guards need of its record.
public struct ReleaseSchedule: Sendable, Hashable {
    public var key: String
    public var title: String
    public var start: Date?
    public var end: Date?

    public init(key: String, title: String, start: Date?, end: Date?) {
        self.key = key
        self.title = title
        self.start = start
        self.end = end
    }
}

extension ReleaseRecord {
    public var schedule: ReleaseSchedule { ReleaseSchedule(key: key, title: title, start: scheduledStart, end: scheduledEnd) }
}

/// A release as the deployment guards see it: when its deployment runs and what it touches
/// (its impact set, with the sites and CI classes in it).
public struct ReleaseFootprint: Sendable, Hashable {
    public var key: String
    public var title: String
    /// The deployment window `[start, end)`; nil for a release that is not scheduled.
    public var window: DateInterval?
    /// The keys of the CIs in the release's impact set.
    public var impact: Set<String>
    public var sites: Set<String>
    public var ciClasses: Set<CIClass>

    /// The shortest window: a release scheduled to start and end at the same instant still
    /// deploys, so it occupies at least this long.
    public static let minimumWindow: TimeInterval = 60

    public init(key: String, title: String, scheduledStart: Date?, scheduledEnd: Date?, impact: Set<String> = [],
                sites: Set<String> = [], ciClasses: Set<CIClass> = []) {
        self.key = key
        self.title = title
        if let scheduledStart, let scheduledEnd, scheduledEnd >= scheduledStart {
            window = DateInterval(start: scheduledStart, end: max(scheduledEnd, scheduledStart.addingTimeInterval(Self.minimumWindow)))
        }
        self.impact = impact
        self.sites = sites
        self.ciClasses = ciClasses
    }

    /// The deployment as the freeze rules see it, over `window` (the scheduled one by default).
    public func deployment(over window: DateInterval? = nil) -> ProposedDeployment? {
        guard let interval = window ?? self.window else { return nil }
        return ProposedDeployment(start: interval.start, end: interval.end, sites: sites, ciClasses: ciClasses)
    }
}
