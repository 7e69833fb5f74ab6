import Foundation

/// The calendar page's days as its GET form sends them: `from` and `to`, both `YYYY-MM-DD`
/// and both included, in UTC. Either left out: the current month. A value that is not a
/// real day, a `to` before `from` or more than ``maxDays`` days is refused by field name
/// (never echoed), and the current month is shown instead. Links to the stretches of the
/// same length before and after keep the page browsable.
public struct DashboardCalendarRange: Sendable, Equatable {
    /// The most days one page lists (the iCalendar feed has everything).
    public static let maxDays = 92

    /// The first instant shown (midnight UTC of the first day).
    public let from: Date
    /// The first instant after the last day (midnight UTC of the day after it).
    public let to: Date
    /// Fields whose value was refused, sorted.
    public let refused: [String]

    public init(from fromText: String?, to toText: String?, today: Date) {
        let month = Self.utc.dateInterval(of: .month, for: today)!
        var refused: [String] = []
        func day(_ name: String, _ text: String?) -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let parsed = Self.day(text) else {
                refused.append(name)
                return nil
            }
            return parsed
        }
        let first = day("from", fromText), last = day("to", toText)
        var from = first ?? month.start
        var to = last.map { Self.utc.date(byAdding: .day, value: 1, to: $0)! } ?? (first == nil ? month.end : Self.days(after: from, 31))
        if refused.isEmpty, to <= from || to.timeIntervalSince(from) > Double(Self.maxDays) * 86_400 {
            refused.append("to")
        }
        if !refused.isEmpty { (from, to) = (month.start, month.end) }
        self.from = from
        self.to = to
        self.refused = refused.sorted()
    }

    /// Days shown.
    public var dayCount: Int { Int((to.timeIntervalSince(from) / 86_400).rounded()) }

    /// The first and last day as the form writes them.
    public var fields: (from: String, to: String) { (Self.text(from), Self.text(Self.days(after: to, -1))) }

    /// Whether the days are one whole calendar month (then the page steps by months).
    public var isMonth: Bool { Self.utc.dateInterval(of: .month, for: from) == DateInterval(start: from, end: to) }

    /// The query of the month (for a whole month) or the stretch of the same length just
    /// before (`-1`) or after (`1`).
    public func query(shifted direction: Int) -> String {
        if isMonth {
            let start = Self.utc.date(byAdding: .month, value: direction, to: from)!
            let end = Self.utc.dateInterval(of: .month, for: start)!.end
            return "from=\(Self.text(start))&to=\(Self.text(Self.days(after: end, -1)))"
        }
        let start = Self.days(after: from, direction * dayCount)
        return "from=\(Self.text(start))&to=\(Self.text(Self.days(after: start, dayCount - 1)))"
    }

    /// `YYYY-MM-DD` as midnight UTC, nil unless it is exactly that form and a real day.
    public static func day(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Int(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2)),
              bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }),
              let date = utc.date(from: DateComponents(year: year, month: month, day: day))
        else { return nil }
        // 2045-02-30 would roll over into March: only a day that reads back the same is one.
        return Self.text(date) == text ? date : nil
    }

    static func text(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func days(after date: Date, _ count: Int) -> Date { utc.date(byAdding: .day, value: count, to: date)! }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
