/// A weekly freeze: on each of `weekdays`, from `startTime` for `durationMinutes`.
///
/// The start is wall-clock time and stays put across daylight-saving changes; the duration is
/// elapsed time (as an RFC 5545 `DURATION` of minutes is), so a four-hour window that spans
/// the night clocks change still lasts four hours. `firstDate` and `lastDate` bound the days
/// an occurrence may start on, both included; nil means no bound.
public struct WeeklyRecurrence: Sendable, Hashable {
    public var weekdays: Set<Weekday>
    public var startTime: LocalTime
    public var durationMinutes: Int
    public var firstDate: LocalDate?
    public var lastDate: LocalDate?

    /// The allowed durations: at least a minute, at most a week, so occurrences of one window
    /// on the same weekday never overlap.
    public static let durations = 1...10_080

    public init(weekdays: Set<Weekday>, startTime: LocalTime, durationMinutes: Int, firstDate: LocalDate? = nil, lastDate: LocalDate? = nil) {
        self.weekdays = weekdays
        self.startTime = startTime
        self.durationMinutes = durationMinutes
        self.firstDate = firstDate
        self.lastDate = lastDate
    }

    /// What is wrong with the recurrence, by field.
    func problems() -> [String: String] {
        var problems: [String: String] = [:]
        if weekdays.isEmpty { problems["schedule.weekdays"] = "must name at least one day of the week" }
        if !Self.durations.contains(durationMinutes) {
            problems["schedule.durationMinutes"] = "must be \(Self.durations.lowerBound) to \(Self.durations.upperBound) minutes (one week)"
        }
        if let firstDate, let lastDate, lastDate < firstDate { problems["schedule.lastDate"] = "must not be before firstDate" }
        return problems
    }
}
