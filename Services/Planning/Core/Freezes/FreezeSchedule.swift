/// When a freeze window is in force, on the wall clock of the window's time zone.
/// Plain data: ``FreezeWindow`` checks it when the window is made.
public enum FreezeSchedule: Sendable, Hashable {
    /// Once, from `start` up to (not including) `end`.
    case oneOff(start: LocalDateTime, end: LocalDateTime)
    /// Every week on some days, at the same wall-clock time.
    case weekly(WeeklyRecurrence)
}
