import Contracts
import Foundation
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// `GET /ui/calendar?from=&to=`: the releases' scheduled windows and the freeze windows'
    /// occurrences over the form's days (``DashboardCalendarRange``), from the API's calendar
    /// query (the same read as its iCalendar feed; freezes expanded by ``FreezeCalendar``):
    /// a grid of weeks (``CalendarMonthGrid``) and a list, earliest first. Readable by every role that may read freeze windows and releases.
    func calendarPage(_ request: Request) async throws -> Response {
        guard let session = try await DashboardSession.current(request, identities: api.identities) else {
            return DashboardPages.redirect("/ui/login")
        }
        let roles = session.user.roles
        guard GatewayAccess.allows("listFreezeWindows", roles: roles), GatewayAccess.allows("listReleases", roles: roles) else {
            return pages.notAllowed(session: session)
        }
        let query = FormFields(request.uri.query ?? "")
        let range = DashboardCalendarRange(from: query["from"], to: query["to"], today: Date())
        let (releases, freezes) = try await api.deploymentGuards.calendar(from: range.from, to: range.to)
        let rows = releases.map { release in
            (release.scheduledStart, [
                "kind": "Release", "name": "\(release.key): \(release.title)", "link": "/ui/releases/\(release.key)",
                "start": Self.calendarTime(release.scheduledStart), "end": Self.calendarTime(release.scheduledEnd), "detail": release.status,
            ] as [String: Any])
        } + freezes.map { freeze in
            (freeze.start, [
                "kind": "Freeze (\(freeze.kind.rawValue))", "name": freeze.windowName, "freeze": true,
                "start": Self.calendarTime(freeze.start), "end": Self.calendarTime(freeze.end), "detail": freeze.localDescription,
            ] as [String: Any])
        }
        let grid = CalendarMonthGrid(range: range, items: releases.map { release in
            .init(label: "\(release.key): \(release.title)", link: "/ui/releases/\(release.key)", isFreeze: false,
                  start: release.scheduledStart, end: release.scheduledEnd)
        } + freezes.map { freeze in
            .init(label: "Freeze: \(freeze.windowName)", link: nil, isFreeze: true, start: freeze.start, end: freeze.end)
        })
        let fields = range.fields
        var values: [String: Any] = [
            "from": fields.from, "to": fields.to, "stretch": range.isMonth ? "month" : "\(range.dayCount) days",
            "entries": rows.sorted { $0.0 < $1.0 }.map(\.1),
            "previous": "/ui/calendar?\(range.query(shifted: -1))", "next": "/ui/calendar?\(range.query(shifted: 1))",
            "weekdays": CalendarMonthGrid.weekdays, "weeks": grid.weeks.map { week in ["days": week.map(Self.dayValues)] },
        ]
        if !range.refused.isEmpty { values["refused"] = range.refused.joined(separator: ", ") }
        return pages.page("calendar", title: "Release calendar", values, session: session, status: range.refused.isEmpty ? .ok : .badRequest)
    }

    static func dayValues(_ day: CalendarMonthGrid.Day) -> [String: Any] {
        ["date": day.date, "day": day.dayOfMonth, "inRange": day.inRange, "hasItems": !day.items.isEmpty,
         "items": day.items.map { item -> [String: Any] in
             var values: [String: Any] = ["label": item.label, "freeze": item.isFreeze]
             if let link = item.link { values["link"] = link }
             return values
         }]
    }

    /// An instant as the calendar shows it: minutes, UTC, said so.
    static func calendarTime(_ date: Date) -> String {
        String(date.ISO8601Format().prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
