import Foundation

/// The release calendar as an RFC 5545 feed that Outlook and Google Calendar can subscribe to:
/// one VEVENT per scheduled release and per freeze window.
///
/// - Stable: every event's UID comes from what it shows (`release-<key>@shipboard`,
///   `freeze-<window id>@shipboard`), so a client updates the event it has rather than adding a
///   second one when the feed is fetched again. Only DTSTAMP follows `generatedAt`.
/// - Safe for any text: titles and names are escaped as TEXT and stripped of control characters,
///   and every line is folded to 75 octets (``ICalendarLines``), so hostile input cannot end a
///   line early, add a property or break a UTF-8 sequence.
/// - Releases and one-off windows are written in UTC (`…Z`), which needs no time zone definition.
/// - Weekly windows are written on their own wall clock, `DTSTART;TZID=<IANA name>:…` with an
///   RRULE, so clients keep them at the same local time across daylight-saving changes. This
///   feed includes no VTIMEZONE: RFC 5545 §3.2.19 asks for one per TZID, but Outlook and Google
///   Calendar resolve IANA names themselves, and a VTIMEZONE written from Foundation's
///   transitions would only be right for the years it listed. Clients read skipped and repeated
///   local times by §3.3.5's rules, the rules ``LocalDateTime/instant(in:)`` applies, so the
///   feed and the freeze check agree.
public struct ICalendarFeed: Sendable {
    /// The calendar's name as subscribing clients show it (`X-WR-CALNAME`).
    public var name: String
    public var releases: [ReleaseCalendarEntry]
    public var windows: [FreezeWindow]

    /// The PRODID of every feed.
    public static let productID = "-//Shipboard//Release calendar//EN"

    public init(name: String = "Shipboard releases", releases: [ReleaseCalendarEntry], windows: [FreezeWindow]) {
        self.name = name
        self.releases = releases
        self.windows = windows
    }

    /// The feed, CRLF line endings throughout; `generatedAt` is every event's DTSTAMP and, in the
    /// window's zone, the year from which a weekly window without a first date is shown.
    public func render(generatedAt: Date) -> String {
        var lines = ICalendarLines()
        lines.append("BEGIN", "VCALENDAR")
        lines.append("PRODID", Self.productID)
        lines.append("VERSION", "2.0")
        lines.append("CALSCALE", "GREGORIAN")
        lines.append("METHOD", "PUBLISH")
        lines.appendText("X-WR-CALNAME", name)
        let stamp = ICalendarLines.utc(generatedAt)
        for release in releases { Self.append(release, stamp: stamp, to: &lines) }
        for window in windows { Self.append(window, stamp: stamp, generatedAt: generatedAt, to: &lines) }
        lines.append("END", "VCALENDAR")
        return lines.text
    }

    private static func append(_ release: ReleaseCalendarEntry, stamp: String, to lines: inout ICalendarLines) {
        lines.append("BEGIN", "VEVENT")
        lines.appendText("UID", "release-\(release.key)@shipboard")
        lines.append("DTSTAMP", stamp)
        lines.append("DTSTART", ICalendarLines.utc(release.scheduledStart))
        // DTEND must be after DTSTART; an event without one lasts no time, which is what an equal end means.
        if release.scheduledEnd > release.scheduledStart { lines.append("DTEND", ICalendarLines.utc(release.scheduledEnd)) }
        lines.appendText("SUMMARY", "\(release.key) \(release.title)")
        lines.appendText("DESCRIPTION", "Release \(release.key): \(release.status)")
        lines.append("CATEGORIES", "Release")
        lines.append("TRANSP", "TRANSPARENT")
        lines.append("END", "VEVENT")
    }

    private static func append(_ window: FreezeWindow, stamp: String, generatedAt: Date, to lines: inout ICalendarLines) {
        let timing: [(String, String)]
        switch window.schedule {
        case .oneOff(let start, let end):
            timing = [
                ("DTSTART", ICalendarLines.utc(start.instant(in: window.timeZone))),
                ("DTEND", ICalendarLines.utc(end.instant(in: window.timeZone))),
            ]
        case .weekly(let recurrence):
            guard let first = firstDay(of: recurrence, in: window.timeZone, generatedAt: generatedAt) else { return }
            var rule = "FREQ=WEEKLY;BYDAY=" + recurrence.weekdays.sorted().map(\.iCalendarCode).joined(separator: ",")
            if let lastDate = recurrence.lastDate {
                // With a TZID start, UNTIL must be in UTC (§3.3.10); it is the last day's start, included.
                rule += ";UNTIL=" + ICalendarLines.utc(LocalDateTime(date: lastDate, time: recurrence.startTime).instant(in: window.timeZone))
            }
            timing = [
                ("DTSTART;TZID=\(window.timeZone.identifier)", ICalendarLines.local(LocalDateTime(date: first, time: recurrence.startTime))),
                ("DURATION", "PT\(recurrence.durationMinutes)M"),
                ("RRULE", rule),
            ]
        }
        lines.append("BEGIN", "VEVENT")
        lines.appendText("UID", "freeze-\(window.id.uuidString.lowercased())@shipboard")
        lines.append("DTSTAMP", stamp)
        for (name, value) in timing { lines.append(name, value) }
        lines.appendText("SUMMARY", (window.kind == .blackout ? "Blackout: " : "Maintenance window: ") + window.name)
        lines.appendText("DESCRIPTION", description(of: window))
        lines.append("CATEGORIES", window.kind == .blackout ? "Blackout" : "Maintenance")
        lines.append("TRANSP", "TRANSPARENT")
        lines.append("END", "VEVENT")
    }

    /// The first day the weekly window occurs on, from its first date or else from 1 January of
    /// the year `generatedAt` falls in: a DTSTART must itself be an occurrence (§3.8.5.3). Nil
    /// when no day from there to the last date is one of its weekdays: nothing left to show.
    private static func firstDay(of recurrence: WeeklyRecurrence, in zone: TimeZone, generatedAt: Date) -> LocalDate? {
        let from = recurrence.firstDate ?? LocalDate(year: LocalDateTime(instant: generatedAt, in: zone).date.year, month: 1, day: 1)!
        let day = (0..<7).map { from.adding(days: $0) }.first { recurrence.weekdays.contains($0.weekday) }
        guard let day, recurrence.lastDate.map({ day <= $0 }) ?? true else { return nil }
        return day
    }

    private static func description(of window: FreezeWindow) -> String {
        var text = window.kind == .blackout
            ? "Deployments are refused in this window unless a release manager overrides it with a reason."
            : "Deployments are expected in this maintenance window."
        if !window.scope.sites.isEmpty { text += "\nSites: " + window.scope.sites.sorted().joined(separator: ", ") }
        if !window.scope.ciClasses.isEmpty { text += "\nCI classes: " + window.scope.ciClasses.map(\.rawValue).sorted().joined(separator: ", ") }
        return text + "\nTime zone: \(window.timeZone.identifier)"
    }
}
