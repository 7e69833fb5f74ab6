import Foundation

/// The releases of a ``PortfolioRange``, one row each, in schedule order: what
/// ``PortfolioReport/csv`` and ``PortfolioReport/html`` print. Progress is the work plan's
/// share (``WorkPlanQueries/percentDone(of:)``), rollout counts the latest rollout's.
public struct PortfolioReport: Sendable, Equatable {
    /// The most releases one report lists; a note says when more matched.
    public static let releaseLimit = 2_000

    public struct Row: Sendable, Equatable {
        public var key, title, phase, status, priority: String
        public var scheduledStart, scheduledEnd: Date?
        /// nil: no work plan.
        public var percentDone: Double?
        /// nil: no rollout.
        public var rollout: RolloutCounts?

        public init(key: String, title: String, phase: String, status: String, priority: String, scheduledStart: Date?,
                    scheduledEnd: Date?, percentDone: Double?, rollout: RolloutCounts?) {
            (self.key, self.title, self.phase, self.status, self.priority) = (key, title, phase, status, priority)
            (self.scheduledStart, self.scheduledEnd, self.percentDone, self.rollout) = (scheduledStart, scheduledEnd, percentDone, rollout)
        }
    }

    public var range: PortfolioRange
    public var rows: [Row]
    /// More releases matched than ``releaseLimit``.
    public var truncated: Bool
    public var generatedAt: Date

    public init(range: PortfolioRange, rows: [Row], truncated: Bool, generatedAt: Date) {
        (self.range, self.rows, self.truncated, self.generatedAt) = (range, rows, truncated, generatedAt)
    }

    var notes: [String] {
        truncated ? ["Only the first \(Self.releaseLimit) releases of this range are listed; choose a shorter range."] : []
    }
}
