import Contracts

/// A time of day on the wall clock, to the minute: when a weekly freeze starts.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    /// The time, or nil outside 00:00...23:59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// A time written `HH:MM` (24-hour); anything else is a `freezes.well_formed` validation error naming `field`.
    public init(parsing text: String, field: String) throws(CommandError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = LocalDigits.value(parts[0]), let minute = LocalDigits.value(parts[1]),
              let time = LocalTime(hour: hour, minute: minute)
        else {
            throw CommandError(
                .validation, "\(field) must be a time written HH:MM", rule: "freezes.well_formed",
                fields: [field: "must be a time HH:MM from 00:00 to 23:59"])
        }
        self = time
    }

    /// Minutes since midnight.
    public var minutesSinceMidnight: Int { hour * 60 + minute }

    /// `HH:MM`.
    public var description: String { "\(LocalDigits.padded(hour, 2)):\(LocalDigits.padded(minute, 2))" }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutesSinceMidnight < rhs.minutesSinceMidnight }
}
