import Contracts
import Foundation

/// A date and time on the wall clock, to the minute, in no time zone until one is given:
/// the start and end of a one-off freeze. ``instant(in:)`` says which moment it names.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let date: LocalDate
    public let time: LocalTime

    public init(date: LocalDate, time: LocalTime) {
        self.date = date
        self.time = time
    }

    /// The date-time, or nil when the day or the time does not exist on the calendar.
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        guard let date = LocalDate(year: year, month: month, day: day), let time = LocalTime(hour: hour, minute: minute) else { return nil }
        self.init(date: date, time: time)
    }

    /// A date-time written `YYYY-MM-DDTHH:MM`; anything else is a `freezes.well_formed`
    /// validation error naming `field`. No offset or `Z`: the window's time zone gives the moment.
    public init(parsing text: String, field: String) throws(CommandError) {
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw CommandError(
                .validation, "\(field) must be a local date-time written YYYY-MM-DDTHH:MM", rule: "freezes.well_formed",
                fields: [field: "must be a local date-time YYYY-MM-DDTHH:MM"])
        }
        self.init(date: try LocalDate(parsing: String(parts[0]), field: field), time: try LocalTime(parsing: String(parts[1]), field: field))
    }

    /// The wall-clock reading of `instant` in `zone`, to the minute (seconds dropped).
    public init(instant: Date, in zone: TimeZone) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        self.init(wallSeconds: seconds + zone.secondsFromGMT(for: instant))
    }

    /// The reading `wallSeconds` after 1970-01-01 00:00 on a wall clock, to the minute.
    init(wallSeconds: Int) {
        let days = Int((Double(wallSeconds) / 86_400).rounded(.down))
        let minutes = (wallSeconds - days * 86_400) / 60
        self.init(date: LocalDate(dayNumber: days), time: LocalTime(hour: minutes / 60, minute: minutes % 60)!)
    }

    /// Seconds after 1970-01-01 00:00 on a wall clock, as if the zone were UTC.
    var wallSeconds: Int { date.dayNumber * 86_400 + time.minutesSinceMidnight * 60 }

    /// The moment this wall-clock time names in `zone`, by the rules of RFC 5545 §3.3.5, so
    /// the checks here and every calendar client reading the feed agree:
    /// - a time that occurs twice (the hour repeated when clocks go back) is its first occurrence;
    /// - a time that never occurs (skipped when clocks go forward, e.g. 02:30 on the last
    ///   Sunday of March in Europe/Berlin) is read with the offset in force before the gap,
    ///   which lands as far after the gap's start as the time was: 02:30 becomes 03:30 CEST,
    ///   the next valid time shifted by the length of the gap.
    ///
    /// Assumes no zone changes its offset twice within two days, which holds for every IANA zone
    /// in the years ``LocalDate/years`` allows.
    public func instant(in zone: TimeZone) -> Date {
        let wall = wallSeconds
        func offset(at seconds: Int) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))) }
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        // Each offset gives a candidate; it is real when the zone has that offset at that moment.
        let real = Set([before, after]).map { wall - $0 }.filter { offset(at: $0) == wall - $0 }
        return Date(timeIntervalSince1970: TimeInterval(real.min() ?? wall - before))
    }

    /// `YYYY-MM-DD HH:MM`.
    public var description: String { "\(date) \(time)" }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool { lhs.wallSeconds < rhs.wallSeconds }
}
