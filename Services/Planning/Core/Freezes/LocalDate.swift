import Contracts
import Foundation

/// A calendar day on the wall, in no time zone: the first or last day of a weekly freeze.
///
/// Day arithmetic is on ``dayNumber`` (days since 1970-01-01), worked out by a Gregorian
/// calendar fixed to UTC, so expanding a window day by day cannot be moved by any time zone:
/// zones come in only when a wall-clock time is placed in time (``LocalDateTime/instant(in:)``).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    /// Days since 1970-01-01.
    let dayNumber: Int

    /// The years a freeze may name: wide enough for any plan, narrow enough that every
    /// instant in it is exact in a `Date`.
    public static let years = 1900...2999

    /// Gregorian and UTC: days on the wall, each exactly 86,400 seconds long.
    private static let civil: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// The date, or nil when it is not a day of the Gregorian calendar (e.g. 2025-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard Self.years.contains(year), (1...12).contains(month), (1...31).contains(day),
              let midnight = Self.civil.date(from: DateComponents(year: year, month: month, day: day))
        else { return nil }
        self.init(dayNumber: Int((midnight.timeIntervalSince1970 / 86_400).rounded(.down)))
        // The calendar rolls 2025-02-30 over to 2025-03-02: a day that does not exist is refused.
        guard self.year == year, self.month == month, self.day == day else { return nil }
    }

    /// The day `dayNumber` days after 1970-01-01 (negative: before).
    init(dayNumber: Int) {
        let parts = Self.civil.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400))
        year = parts.year!
        month = parts.month!
        day = parts.day!
        self.dayNumber = dayNumber
    }

    /// A date written `YYYY-MM-DD`; anything else is a `freezes.well_formed` validation error naming `field`.
    public init(parsing text: String, field: String) throws(CommandError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = LocalDigits.value(parts[0]), let month = LocalDigits.value(parts[1]), let day = LocalDigits.value(parts[2]),
              let date = LocalDate(year: year, month: month, day: day)
        else {
            throw CommandError(
                .validation, "\(field) must be a date written YYYY-MM-DD", rule: "freezes.well_formed",
                fields: [field: "must be a date YYYY-MM-DD between \(Self.years.lowerBound) and \(Self.years.upperBound)"])
        }
        self = date
    }

    /// The day of the week, the same in every time zone.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday, index 3 counting from Monday.
        Weekday.allCases[((dayNumber + 3) % 7 + 7) % 7]
    }

    /// The day `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// `YYYY-MM-DD`.
    public var description: String { "\(LocalDigits.padded(year, 4))-\(LocalDigits.padded(month, 2))-\(LocalDigits.padded(day, 2))" }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }
}
