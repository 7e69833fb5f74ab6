import Contracts
import Foundation

/// Expands freeze windows into their occurrences in a stretch of absolute time.
///
/// - Weekly windows are expanded day by day on the window's own wall clock, and each start is
///   then placed in time with ``LocalDateTime/instant(in:)`` (RFC 5545's rules for skipped and
///   repeated times), so the start stays at its local time across daylight-saving changes while
///   its UTC instant moves by the change.
/// - The work is bounded: a stretch longer than ``maximumRange`` is refused
///   (`freezes.expansion_limit`, validation) before anything is expanded, so a query or a
///   proposed deployment cannot make the service enumerate centuries of Saturdays.
public enum FreezeCalendar {
    /// The longest stretch expanded at once: four years.
    public static let maximumRange: TimeInterval = 4 * 366 * 86_400
    /// The most occurrences one window may have in one stretch (seven a week for four years fit).
    public static let maximumOccurrences = 1_500

    /// The occurrences of `window` that overlap `[from, to)`, earliest first; none when `to` is not after `from`.
    public static func occurrences(of window: FreezeWindow, from: Date, to: Date) throws(CommandError) -> [FreezeOccurrence] {
        guard to > from else { return [] }
        guard to.timeIntervalSince(from) <= maximumRange else {
            throw CommandError(
                .validation, "a freeze calendar covers at most four years at a time", rule: "freezes.expansion_limit",
                fields: ["to": "must be at most four years after from"])
        }
        switch window.schedule {
        case .oneOff(let start, let end):
            let occurrence = FreezeOccurrence(window: window, start: start.instant(in: window.timeZone), end: end.instant(in: window.timeZone))
            return occurrence.overlaps(from: from, to: to) ? [occurrence] : []
        case .weekly(let recurrence):
            return try weekly(recurrence, of: window, from: from, to: to)
        }
    }

    private static func weekly(_ recurrence: WeeklyRecurrence, of window: FreezeWindow, from: Date, to: Date) throws(CommandError) -> [FreezeOccurrence] {
        let zone = window.timeZone
        let duration = TimeInterval(recurrence.durationMinutes * 60)
        // Start early enough to catch an occurrence that began days before `from` and is still
        // running, and a day either side for offsets; late enough for one starting just before `to`.
        let daysBack = recurrence.durationMinutes / 1_440 + 2
        var day = LocalDateTime(instant: from, in: zone).date.adding(days: -daysBack)
        var last = LocalDateTime(instant: to, in: zone).date.adding(days: 1)
        if let firstDate = recurrence.firstDate, firstDate > day { day = firstDate }
        if let lastDate = recurrence.lastDate, lastDate < last { last = lastDate }
        var occurrences: [FreezeOccurrence] = []
        while day <= last {
            defer { day = day.adding(days: 1) }
            guard recurrence.weekdays.contains(day.weekday) else { continue }
            let start = LocalDateTime(date: day, time: recurrence.startTime).instant(in: zone)
            let occurrence = FreezeOccurrence(window: window, start: start, end: start.addingTimeInterval(duration))
            guard occurrence.overlaps(from: from, to: to) else { continue }
            occurrences.append(occurrence)
            guard occurrences.count <= maximumOccurrences else {
                throw CommandError(
                    .validation, "the freeze window '\(window.name)' has more than \(maximumOccurrences) occurrences in the stretch asked for",
                    rule: "freezes.expansion_limit", fields: ["to": "must be nearer to from"])
            }
        }
        return occurrences
    }
}
