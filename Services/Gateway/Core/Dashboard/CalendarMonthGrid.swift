import Foundation

/// The calendar page's days as a grid of weeks (Monday first, UTC), each day with the items in
/// force on it: a release's scheduled window or a freeze occurrence shows on every day it
/// overlaps. Days outside the range asked for fill the first and last week and hold nothing.
/// Pure: the page's range (``DashboardCalendarRange``) and its items in, the cells out.
public struct CalendarMonthGrid: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let label: String
        /// The release page, for a release.
        public let link: String?
        public let isFreeze: Bool
        public let start: Date
        public let end: Date

        public init(label: String, link: String?, isFreeze: Bool, start: Date, end: Date) {
            (self.label, self.link, self.isFreeze, self.start, self.end) = (label, link, isFreeze, start, end)
        }
    }

    public struct Day: Sendable, Equatable {
        /// `YYYY-MM-DD`.
        public let date: String
        public let dayOfMonth: Int
        public let inRange: Bool
        public let items: [Item]
    }

    public static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    public let weeks: [[Day]]

    public init(range: DashboardCalendarRange, items: [Item]) {
        let calendar = DashboardCalendarRange.utc
        // Back to the Monday on or before the first day (weekday: Sunday 1 … Saturday 7).
        let back = (calendar.component(.weekday, from: range.from) + 5) % 7
        var day = DashboardCalendarRange.days(after: range.from, -back)
        var weeks: [[Day]] = []
        while day < range.to {
            var week: [Day] = []
            for _ in 0..<7 {
                let next = DashboardCalendarRange.days(after: day, 1)
                let inRange = day >= range.from && day < range.to
                week.append(Day(
                    date: DashboardCalendarRange.text(day), dayOfMonth: calendar.component(.day, from: day), inRange: inRange,
                    items: inRange ? items.filter { $0.start < next && $0.end > day } : []))
                day = next
            }
            weeks.append(week)
        }
        self.weeks = weeks
    }
}
