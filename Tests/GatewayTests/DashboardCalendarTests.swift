import Foundation
import GatewayCore
import Testing

/// The calendar page: its days from the form (no database), and the page over HTTP with a
/// scheduled release and a freeze window.
@Suite("Dashboard: the release calendar", .serialized)
struct DashboardCalendarTests {
    static let today = DashboardCalendarRange.day("2049-05-17")!

    @Test("days: the current month by default, both ends included, shifted by their length; impossible or too long stretches refused by name")
    func range() {
        let month = DashboardCalendarRange(from: nil, to: nil, today: Self.today)
        #expect(month.fields == ("2049-05-01", "2049-05-31") && month.dayCount == 31 && month.refused.isEmpty)
        #expect(month.isMonth && month.query(shifted: 1) == "from=2049-06-01&to=2049-06-30" && month.query(shifted: -1) == "from=2049-04-01&to=2049-04-30")
        let week = DashboardCalendarRange(from: "2049-05-10", to: "2049-05-16", today: Self.today)
        #expect(week.dayCount == 7 && week.to == DashboardCalendarRange.day("2049-05-17") && !week.isMonth)
        #expect(week.query(shifted: 1) == "from=2049-05-17&to=2049-05-23" && week.query(shifted: -1) == "from=2049-05-03&to=2049-05-09")
        #expect(DashboardCalendarRange(from: "2049-05-10", to: nil, today: Self.today).dayCount == 31)
        for (from, to, refused) in [("2049-02-30", "2049-03-01", ["from"]), ("2049-05-10", "2049-05-09", ["to"]),
                                    ("2049-01-01", "2049-12-31", ["to"]), ("2049-5-1", "x\u{0}", ["from", "to"]),
                                    (String(repeating: "9", count: 300), "", ["from"])] {
            let range = DashboardCalendarRange(from: from, to: to, today: Self.today)
            #expect(range.refused == refused && range.fields == month.fields, "\(from) \(to)")
        }
    }

    @Test("the page lists a scheduled release and a freeze window in its days, escaped; bad days are a 400 naming the field; no session, no page")
    func page() async throws {
        try await GatewayStack.with { stack in
            // Far ahead and informational (maintenance), so no other test's scheduling meets it.
            let window: [String: Any] = [
                "name": "<script>Rack swap</script> \(stack.suffix)", "kind": "maintenance", "timeZone": "Europe/Berlin",
                "schedule": ["start": "2049-05-20T22:00", "end": "2049-05-21T03:00"],
            ]
            let created = try await stack.call("POST", "/api/v1/freeze-windows", as: .admin, json: window)
            #expect(created.status == 201, "\(String(decoding: created.data, as: UTF8.self))")
            let id = try #require(created.json["id"] as? String)
            defer { Task { _ = try? await stack.call("DELETE", "/api/v1/freeze-windows/\(id)", as: .admin) } }
            let release = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: [
                "title": "Calendar \(stack.suffix)", "scheduledStart": "2049-05-10T08:00:00Z", "scheduledEnd": "2049-05-10T10:00:00Z",
            ])
            let key = try #require(release.json["releaseKey"] as? String, "\(String(decoding: release.data, as: UTF8.self))")

            let anonymous = DashboardBrowser(base: stack.base)
            defer { Task { await anonymous.shutdown() } }
            #expect(try await anonymous.get("/ui/calendar").location == "/ui/login")
            let browser = try await DashboardTests.signedIn(stack, "planner", roles: [.viewer])
            defer { Task { await browser.shutdown() } }
            let page = try await browser.get("/ui/calendar?from=2049-05-01&to=2049-05-31")
            #expect(page.status == 200 && page.html.contains("<a href=\"/ui/calendar\">Calendar</a>"))
            #expect(page.html.contains("<a href=\"/ui/releases/\(key)\">\(key): Calendar \(stack.suffix)</a></td><td>2049-05-10 08:00 UTC</td><td>2049-05-10 10:00 UTC</td>"),
                    "\(page.html)")
            #expect(page.html.contains("<td>Freeze (maintenance)</td><td>&lt;script&gt;Rack swap&lt;/script&gt; \(stack.suffix)</td><td>2049-05-20 20:00 UTC</td>"))
            #expect(page.html.contains("2049-05-20 22:00 – 2049-05-21 03:00 Europe/Berlin") && !page.html.contains("<script>"))
            #expect(page.html.contains("<label for=\"from\">") && page.html.contains("href=\"/ui/calendar?from=2049-06-01&amp;to=2049-06-30\">Next month</a>"))
            // The grid: the release on its day, the freeze on both days it overlaps (other runs' releases may share the day).
            let grid = try #require(page.html.components(separatedBy: "<h2>In order</h2>").first)
            #expect(grid.components(separatedBy: "<li><a href=\"/ui/releases/\(key)\">\(key): Calendar").count == 2)
            #expect(grid.components(separatedBy: "<li class=\"freeze\">Freeze: &lt;script&gt;Rack swap&lt;/script&gt; \(stack.suffix)</li>").count == 3)
            let before = try await browser.get("/ui/calendar?from=2049-04-01&to=2049-04-30")
            #expect(!before.html.contains(key) && before.html.contains("Nothing is scheduled"))

            let long = String(repeating: "7", count: 300)
            let bad = try await browser.get("/ui/calendar?from=\(long)&to=2049-05-31%00")
            #expect(bad.status == 400 && bad.html.contains("left out: from, to") && !bad.html.contains(long))
            #expect(try await browser.get("/ui/calendar?from=2049-05-10&to=2049-01-01").status == 400)

            // A cancelled release leaves the calendar: runs do not pile up on its day.
            let cancel = try await stack.call(
                "POST", "/api/v1/releases/\(key)/cancel", as: .releaseManager, json: ["expectedPhase": "initiate", "reason": "test done"])
            #expect(cancel.status == 200)
            #expect(!(try await browser.get("/ui/calendar?from=2049-05-01&to=2049-05-31").html.contains("/ui/releases/\(key)\"")))
        }
    }
}

extension DashboardCalendarTests {
    @Test("the grid: weeks from Monday around the days asked for; an item on every day it overlaps, none outside")
    func grid() {
        let range = DashboardCalendarRange(from: "2049-05-01", to: "2049-05-31", today: Self.today)
        let day = { (text: String) in DashboardCalendarRange.day(text)! }
        let grid = CalendarMonthGrid(range: range, items: [
            .init(label: "freeze", link: nil, isFreeze: true, start: day("2049-05-20").addingTimeInterval(79_200),
                  end: day("2049-05-21").addingTimeInterval(10_800)),
            .init(label: "early", link: "/ui/releases/REL-1", isFreeze: false, start: day("2049-04-30"), end: day("2049-05-01").addingTimeInterval(60)),
        ])
        // 2049-05-01 is a Saturday: the first week starts on Monday 26 April; the last ends on Sunday 6 June.
        #expect(grid.weeks.count == 6 && grid.weeks.allSatisfy { $0.count == 7 })
        #expect(grid.weeks[0][0].date == "2049-04-26" && !grid.weeks[0][0].inRange && grid.weeks[0][5].date == "2049-05-01")
        #expect(grid.weeks[5][6].date == "2049-06-06" && !grid.weeks[5][6].inRange)
        let days = grid.weeks.flatMap { $0 }.filter { !$0.items.isEmpty }
        #expect(days.map(\.date) == ["2049-05-01", "2049-05-20", "2049-05-21"])
        #expect(days[0].items.map(\.label) == ["early"] && days[1].items.map(\.label) == ["freeze"])
    }
}
