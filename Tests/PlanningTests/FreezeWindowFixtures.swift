import Contracts
import Foundation
import PlanningCore
import Testing

/// Windows, instants and a refusal catcher shared by the freeze window tests.
enum FreezeFixtures {
    static let berlin = "Europe/Berlin"
    static let newYork = "America/New_York"

    /// The UUID ending in `n`, so expected UIDs and field names can be written out.
    static func id(_ n: Int) -> UUID { UUID(uuidString: "00000000-0000-0000-0000-\(String(format: "%012d", n))")! }

    /// An instant written `2025-03-29T21:00:00Z`.
    static func utc(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad instant \(text)") }
        return date
    }

    static func local(_ text: String) -> LocalDateTime {
        do { return try LocalDateTime(parsing: text, field: "test") } catch { fatalError("bad local time \(text)") }
    }

    static func date(_ text: String) -> LocalDate {
        do { return try LocalDate(parsing: text, field: "test") } catch { fatalError("bad date \(text)") }
    }

    /// A weekly window starting at `start` local time for `minutes` on `days`.
    static func weekly(
        _ n: Int = 1, name: String = "Weekend change freeze", kind: FreezeWindow.Kind = .blackout, zone: String = berlin,
        days: Set<Weekday> = [.saturday], start: String = "22:00", minutes: Int = 240, first: String? = nil, last: String? = nil,
        scope: FreezeScope = .everywhere
    ) throws(CommandError) -> FreezeWindow {
        let recurrence = WeeklyRecurrence(
            weekdays: days, startTime: try LocalTime(parsing: start, field: "startTime"), durationMinutes: minutes,
            firstDate: first.map(date), lastDate: last.map(date))
        return try FreezeWindow(id: id(n), name: name, kind: kind, timeZoneIdentifier: zone, schedule: .weekly(recurrence), scope: scope)
    }

    /// The year-end blackout, 2025-12-20 00:00 to 2026-01-05 00:00 in Berlin (2025-12-19T23:00Z to 2026-01-04T23:00Z).
    static func yearEnd(_ n: Int = 2, kind: FreezeWindow.Kind = .blackout, scope: FreezeScope = .everywhere) throws(CommandError) -> FreezeWindow {
        try FreezeWindow(
            id: id(n), name: "Year end", kind: kind, timeZoneIdentifier: berlin,
            schedule: .oneOff(start: local("2025-12-20T00:00"), end: local("2026-01-05T00:00")), scope: scope)
    }

    /// The starts of `window`'s occurrences in `[from, to)`, as instants.
    static func starts(_ window: FreezeWindow, _ from: String, _ to: String) throws(CommandError) -> [Date] {
        try FreezeCalendar.occurrences(of: window, from: utc(from), to: utc(to)).map(\.start)
    }

    /// Expects `body` to throw a `CommandError` of `kind` naming `rule`; returns it.
    @discardableResult
    static func refusal<Result>(
        _ rule: String, kind: CommandError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Result
    ) -> CommandError? {
        LifecycleFixtures.expectRefusal(rule, kind: kind, sourceLocation: sourceLocation, body)
    }
}
