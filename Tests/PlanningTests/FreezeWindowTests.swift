import Contracts
import Foundation
import PlanningCore
import Testing

/// Freeze windows: what a well-formed window is, and where its occurrences fall in absolute
/// time, above all across daylight-saving changes. Pure; no servers.
@Suite("Freeze windows and their occurrences")
struct FreezeWindowTests {
    typealias F = FreezeFixtures

    @Test("one refusal names every wrong field of a window: name, time zone, weekdays, duration, dates and scope")
    func everyProblemNamed() {
        let recurrence = WeeklyRecurrence(
            weekdays: [], startTime: LocalTime(hour: 22, minute: 0)!, durationMinutes: 10_081,
            firstDate: F.date("2025-06-01"), lastDate: F.date("2025-05-31"))
        let error = F.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(
                id: F.id(1), name: " \t ", kind: .blackout, timeZoneIdentifier: "Mars/Olympus_Mons", schedule: .weekly(recurrence),
                scope: FreezeScope(sites: ["FRA1", ""], ciClasses: [.database, .unknown("quantum")]))
        }
        #expect(error?.fields.map { Set($0.keys) } == [
            "name", "timeZone", "schedule.weekdays", "schedule.durationMinutes", "schedule.lastDate", "scope.sites", "scope.ciClasses",
        ])
    }

    @Test("names are trimmed and hold 1 to 120 characters without control characters")
    func names() throws {
        #expect(try F.weekly(name: "  Payroll freeze \n").name == "Payroll freeze")
        #expect(try F.weekly(name: String(repeating: "é", count: 120)).name.count == 120)
        for bad in [String(repeating: "a", count: 121), "", "Pay\u{0}roll", "Pay\nroll", "Pay\u{1B}[31mroll"] {
            let error = F.refusal("freezes.well_formed", kind: .validation) { try F.weekly(name: bad) }
            #expect(error?.fields == ["name": "must be 1 to 120 characters without control characters"])
        }
    }

    @Test("a time zone must be a plain IANA name the time zone database knows")
    func timeZones() throws {
        #expect(try F.weekly(zone: F.newYork).timeZone.identifier == F.newYork)
        for bad in ["Mars/Olympus_Mons", "", "Europe/Berlin;X=1", "Europe/Berlin:", "Europe/Berlin\r\n"] {
            let error = F.refusal("freezes.well_formed", kind: .validation) { try F.weekly(zone: bad) }
            #expect(error?.fields?.keys.sorted() == ["timeZone"], "\(bad)")
        }
    }

    @Test("a one-off window must end after it starts; a weekly one lasts 1 to 10080 minutes")
    func scheduleBounds() throws {
        let error = F.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(
                id: F.id(1), name: "Empty", kind: .blackout, timeZoneIdentifier: F.berlin,
                schedule: .oneOff(start: F.local("2025-12-20T00:00"), end: F.local("2025-12-20T00:00")))
        }
        #expect(error?.fields == ["schedule.end": "must be after the start"])
        // 02:10 and 02:30 both happen twice on 26 October; each is its first occurrence, so the end is after the start.
        _ = try FreezeWindow(
            id: F.id(1), name: "Repeated hour", kind: .blackout, timeZoneIdentifier: F.berlin,
            schedule: .oneOff(start: F.local("2025-10-26T02:10"), end: F.local("2025-10-26T02:30")))
        _ = try F.weekly(minutes: 1)
        _ = try F.weekly(minutes: 10_080)
        for minutes in [0, -5, 10_081] {
            let error = F.refusal("freezes.well_formed", kind: .validation) { try F.weekly(minutes: minutes) }
            #expect(error?.fields?.keys.sorted() == ["schedule.durationMinutes"])
        }
    }

    @Test("local dates and times parse only in their fixed forms, naming the field otherwise")
    func parsing() throws {
        #expect(try LocalTime(parsing: "22:05", field: "startTime") == LocalTime(hour: 22, minute: 5))
        #expect(try LocalDateTime(parsing: "2024-02-29T00:00", field: "start").description == "2024-02-29 00:00")
        for bad in ["24:00", "7:00", "22:0", "22:00:00", "２２:００", "-1:00", ""] {
            let error = F.refusal("freezes.well_formed", kind: .validation) { try LocalTime(parsing: bad, field: "startTime") }
            #expect(error?.fields?.keys.sorted() == ["startTime"], "\(bad)")
        }
        for bad in ["2025-02-29", "2025-13-01", "2025-1-01", "1899-12-31", "2025-04-31"] {
            let error = F.refusal("freezes.well_formed", kind: .validation) { try LocalDate(parsing: bad, field: "firstDate") }
            #expect(error?.fields?.keys.sorted() == ["firstDate"], "\(bad)")
        }
        F.refusal("freezes.well_formed", kind: .validation) { try LocalDateTime(parsing: "2025-03-29 22:00", field: "start") }
        #expect(F.date("2025-03-29").weekday == .saturday && F.date("1970-01-01").weekday == .thursday)
    }

    @Test("every Saturday 22:00 in Berlin stays 22:00 local across the March change: 21:00Z before, 20:00Z after")
    func berlinSpring() throws {
        let window = try F.weekly()
        let occurrences = try FreezeCalendar.occurrences(of: window, from: F.utc("2025-03-20T00:00:00Z"), to: F.utc("2025-04-07T00:00:00Z"))
        #expect(occurrences.map(\.start) == ["2025-03-22T21:00:00Z", "2025-03-29T21:00:00Z", "2025-04-05T20:00:00Z"].map(F.utc))
        #expect(occurrences.map(\.end) == ["2025-03-23T01:00:00Z", "2025-03-30T01:00:00Z", "2025-04-06T00:00:00Z"].map(F.utc))
        // Four hours elapsed: the night the clocks go forward the window ends at 03:00 local.
        #expect(occurrences[1].localDescription == "2025-03-29 22:00 – 2025-03-30 03:00 Europe/Berlin")
        #expect(occurrences[2].localDescription == "2025-04-05 22:00 – 2025-04-06 02:00 Europe/Berlin")
    }

    @Test("every Saturday 22:00 in Berlin across the October change: 20:00Z before, 21:00Z after")
    func berlinAutumn() throws {
        #expect(try F.starts(F.weekly(), "2025-10-15T00:00:00Z", "2025-11-03T00:00:00Z")
            == ["2025-10-18T20:00:00Z", "2025-10-25T20:00:00Z", "2025-11-01T21:00:00Z"].map(F.utc))
    }

    @Test("every Saturday 22:00 in New York across the March and November changes")
    func newYork() throws {
        let window = try F.weekly(zone: F.newYork)
        #expect(try F.starts(window, "2025-02-28T00:00:00Z", "2025-03-17T00:00:00Z")
            == ["2025-03-02T03:00:00Z", "2025-03-09T03:00:00Z", "2025-03-16T02:00:00Z"].map(F.utc))
        #expect(try F.starts(window, "2025-10-24T00:00:00Z", "2025-11-10T00:00:00Z")
            == ["2025-10-26T02:00:00Z", "2025-11-02T02:00:00Z", "2025-11-09T03:00:00Z"].map(F.utc))
    }

    @Test("a start that does not exist on the spring-forward day is read before the gap (02:30 → 03:30 local); a repeated one is its first occurrence")
    func skippedAndRepeatedTimes() throws {
        let sundays = try F.weekly(days: [.sunday], start: "02:30", minutes: 60)
        #expect(try F.starts(sundays, "2025-03-22T00:00:00Z", "2025-04-07T00:00:00Z")
            == ["2025-03-23T01:30:00Z", "2025-03-30T01:30:00Z", "2025-04-06T00:30:00Z"].map(F.utc))
        #expect(try F.starts(sundays, "2025-10-18T00:00:00Z", "2025-11-03T00:00:00Z")
            == ["2025-10-19T00:30:00Z", "2025-10-26T00:30:00Z", "2025-11-02T01:30:00Z"].map(F.utc))
        let berlin = TimeZone(identifier: F.berlin)!, newYork = TimeZone(identifier: F.newYork)!
        #expect(LocalDateTime(instant: F.local("2025-03-30T02:30").instant(in: berlin), in: berlin).description == "2025-03-30 03:30")
        #expect(F.local("2025-03-09T02:30").instant(in: newYork) == F.utc("2025-03-09T07:30:00Z"))
        #expect(F.local("2025-11-02T01:30").instant(in: newYork) == F.utc("2025-11-02T05:30:00Z"))
    }

    @Test("first and last dates bound the days an occurrence may start on, both included")
    func firstAndLastDates() throws {
        let window = try F.weekly(days: [.saturday, .sunday], start: "09:00", minutes: 60, first: "2025-06-08", last: "2025-06-14")
        #expect(try F.starts(window, "2025-06-01T00:00:00Z", "2025-06-30T00:00:00Z") == ["2025-06-08T07:00:00Z", "2025-06-14T07:00:00Z"].map(F.utc))
    }

    @Test("an occurrence that began before the stretch and is still running is part of it; one ending at its start is not")
    func overlapAtTheEdges() throws {
        let week = try F.weekly(zone: "UTC", days: [.monday], start: "00:00", minutes: 10_080)
        #expect(try F.starts(week, "2025-06-15T23:59:00Z", "2025-06-16T00:00:00Z") == [F.utc("2025-06-09T00:00:00Z")])
        #expect(try F.starts(F.weekly(zone: "UTC"), "2025-06-08T02:00:00Z", "2025-06-14T22:00:00Z").isEmpty)
    }

    @Test("expanding more than four years at once is refused before any work is done")
    func boundedExpansion() throws {
        let error = F.refusal("freezes.expansion_limit", kind: .validation) {
            try F.starts(F.weekly(days: Set(Weekday.allCases)), "2025-01-01T00:00:00Z", "2030-01-02T00:00:00Z")
        }
        #expect(error?.fields == ["to": "must be at most four years after from"])
        #expect(try F.starts(F.weekly(days: Set(Weekday.allCases)), "2025-01-01T00:00:00Z", "2028-12-31T00:00:00Z").count == 1_461)
    }
}
