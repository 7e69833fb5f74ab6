import Contracts
import Foundation
import PlanningCore
import Testing

/// The iCalendar feed of releases and freeze windows: RFC 5545's lexical rules (CRLF, 75-octet
/// folding without splitting UTF-8, TEXT escaping), stable UIDs and weekly recurrence rules.
@Suite("Freeze windows in the iCalendar feed")
struct FreezeWindowFeedTests {
    typealias F = FreezeFixtures

    static let generatedAt = F.utc("2025-05-01T12:00:00Z")

    func release(key: String = "REL-2025-0042", title: String = "Payroll upgrade") -> ReleaseCalendarEntry {
        ReleaseCalendarEntry(
            key: key, title: title, scheduledStart: F.utc("2025-06-01T08:00:00Z"), scheduledEnd: F.utc("2025-06-01T12:00:00Z"),
            status: "deploy, in progress")
    }

    /// The feed's physical lines (without their CRLF), after checking every line ends in CRLF,
    /// is at most 75 octets and is valid UTF-8 on its own.
    func physicalLines(_ feed: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[UInt8]] {
        let bytes = Array(feed.utf8)
        #expect(bytes.suffix(2) == [13, 10], sourceLocation: sourceLocation)
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                lines.append(current)
                current = []
                index += 2
                continue
            }
            #expect(bytes[index] != 13 && bytes[index] != 10, "bare CR or LF at octet \(index)", sourceLocation: sourceLocation)
            current.append(bytes[index])
            index += 1
        }
        #expect(current.isEmpty, sourceLocation: sourceLocation)
        for line in lines {
            #expect(line.count <= 75, "\(line.count) octets: \(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
            #expect(Array(String(decoding: line, as: UTF8.self).utf8) == line, "a fold split a UTF-8 sequence", sourceLocation: sourceLocation)
            let controlOctets = line.filter { (byte: UInt8) -> Bool in (byte < 32 && byte != 9) || byte == 127 }
            #expect(controlOctets.isEmpty, "control octets \(controlOctets)", sourceLocation: sourceLocation)
        }
        return lines
    }

    /// The logical content lines: physical lines with folds (a leading space) joined to the line before.
    func contentLines(_ feed: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        var logical: [[UInt8]] = []
        for line in physicalLines(feed, sourceLocation: sourceLocation) {
            if line.first == 32, !logical.isEmpty { logical[logical.count - 1] += line.dropFirst() } else { logical.append(line) }
        }
        return logical.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("a feed of a release, a weekly and a one-off blackout, line by line")
    func wholeFeed() throws {
        let weekly = try F.weekly(days: [.saturday, .monday], first: "2025-03-01", last: "2025-10-25")
        let yearEnd = try F.yearEnd(scope: FreezeScope(sites: ["FRA1"], ciClasses: [.database]))
        let feed = ICalendarFeed(releases: [release()], windows: [weekly, yearEnd]).render(generatedAt: Self.generatedAt)
        let blackout = "DESCRIPTION:Deployments are refused in this window unless a release manager overrides it with a reason."
        #expect(contentLines(feed) == [
            "BEGIN:VCALENDAR", "PRODID:-//Shipboard//Release calendar//EN", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:Shipboard releases",
            "BEGIN:VEVENT", "UID:release-REL-2025-0042@shipboard", "DTSTAMP:20250501T120000Z",
            "DTSTART:20250601T080000Z", "DTEND:20250601T120000Z", "SUMMARY:REL-2025-0042 Payroll upgrade",
            "DESCRIPTION:Release REL-2025-0042: deploy\\, in progress", "CATEGORIES:Release", "TRANSP:TRANSPARENT", "END:VEVENT",
            "BEGIN:VEVENT", "UID:freeze-00000000-0000-0000-0000-000000000001@shipboard", "DTSTAMP:20250501T120000Z",
            "DTSTART;TZID=Europe/Berlin:20250301T220000", "DURATION:PT240M", "RRULE:FREQ=WEEKLY;BYDAY=MO,SA;UNTIL=20251025T200000Z",
            "SUMMARY:Blackout: Weekend change freeze", blackout + "\\nTime zone: Europe/Berlin",
            "CATEGORIES:Blackout", "TRANSP:TRANSPARENT", "END:VEVENT",
            "BEGIN:VEVENT", "UID:freeze-00000000-0000-0000-0000-000000000002@shipboard", "DTSTAMP:20250501T120000Z",
            "DTSTART:20251219T230000Z", "DTEND:20260104T230000Z", "SUMMARY:Blackout: Year end",
            blackout + "\\nSites: FRA1\\nCI classes: database\\nTime zone: Europe/Berlin",
            "CATEGORIES:Blackout", "TRANSP:TRANSPARENT", "END:VEVENT",
            "END:VCALENDAR",
        ])
    }

    @Test("a weekly window without a first date starts on its first day of the feed's year; one that ended before that is left out")
    func weeklyAnchors() throws {
        let open = try F.weekly(kind: .maintenance, zone: F.newYork, days: [.tuesday, .thursday], start: "01:15", minutes: 90)
        let ended = try F.weekly(2, last: "2024-12-20")
        let lines = contentLines(ICalendarFeed(releases: [], windows: [open, ended]).render(generatedAt: Self.generatedAt))
        #expect(lines.filter { $0.hasPrefix("DTSTART") || $0.hasPrefix("RRULE") || $0.hasPrefix("DURATION") || $0.hasPrefix("SUMMARY") } == [
            "DTSTART;TZID=America/New_York:20250102T011500", "DURATION:PT90M", "RRULE:FREQ=WEEKLY;BYDAY=TU,TH",
            "SUMMARY:Maintenance window: Weekend change freeze",
        ])
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 1)
    }

    @Test("a line of exactly 75 octets stays whole; one more octet folds it with CRLF and a space")
    func foldingBoundary() {
        // "SUMMARY:" (8) + "K" + " " (2) + 65 = 75 octets.
        let whole = ICalendarFeed(releases: [release(key: "K", title: String(repeating: "a", count: 65))], windows: [])
        #expect(whole.render(generatedAt: Self.generatedAt).contains("\r\nSUMMARY:K " + String(repeating: "a", count: 65) + "\r\n"))
        let folded = ICalendarFeed(releases: [release(key: "K", title: String(repeating: "a", count: 66))], windows: [])
        #expect(folded.render(generatedAt: Self.generatedAt).contains("\r\nSUMMARY:K " + String(repeating: "a", count: 65) + "\r\n a\r\n"))
    }

    @Test("folding never splits a multi-byte character, and unfolding gives back the line")
    func foldingKeepsUTF8() {
        // 3-octet € and 4-octet emoji against odd line widths: a naive byte split would cut them.
        let title = String(repeating: "€😀é", count: 40) + "👩‍💻"
        let feed = ICalendarFeed(releases: [release(key: "K", title: title)], windows: []).render(generatedAt: Self.generatedAt)
        let physical = physicalLines(feed)
        #expect(physical.filter { $0.first == 32 }.count >= 5)
        #expect(contentLines(feed).contains("SUMMARY:K " + title))
    }

    @Test("hostile titles (300 characters, NUL and other controls, emoji, ';,\\') still give a valid feed, escaped")
    func hostileText() throws {
        let pieces: [(raw: String, escaped: String)] = [
            ("Drop;table,", "Drop\\;table\\,"), ("back\\slash", "back\\\\slash"), ("\u{0}\u{7}\u{1B}[31m\u{7F}\u{85}", "[31m"),
            ("line\r\nbreak\rlone\nfeed", "line\\nbreak\\nlone\\nfeed"), ("\tEND:VEVENT", "END:VEVENT"), ("🚀👩‍💻", "🚀👩‍💻"),
        ]
        var raw = "", escaped = ""
        while raw.count < 300 {
            for piece in pieces {
                raw += piece.raw
                escaped += piece.escaped
            }
        }
        let window = try FreezeWindow(
            id: F.id(3), name: "Freeze", kind: .blackout, timeZoneIdentifier: F.berlin,
            schedule: .oneOff(start: F.local("2025-12-20T00:00"), end: F.local("2025-12-21T00:00")))
        let feed = ICalendarFeed(name: raw, releases: [release(key: "REL;1", title: raw)], windows: [window]).render(generatedAt: Self.generatedAt)
        let lines = contentLines(feed)
        #expect(lines.contains("SUMMARY:REL\\;1 " + escaped))
        #expect(lines.contains("X-WR-CALNAME:" + escaped))
        #expect(lines.contains("UID:release-REL\\;1@shipboard"))
        // The injected END:VEVENT stayed inside the summary: the structure is intact.
        #expect(lines.filter { $0.hasPrefix("BEGIN:") || $0.hasPrefix("END:") } == [
            "BEGIN:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VEVENT", "END:VEVENT", "END:VCALENDAR",
        ])
    }

    @Test("UIDs depend only on the release key and the window id, not on when or with what the feed is made")
    func stableUIDs() throws {
        let window = try F.weekly(7)
        func uids(_ feed: ICalendarFeed, at time: String) -> [String] {
            contentLines(feed.render(generatedAt: F.utc(time))).filter { $0.hasPrefix("UID:") }
        }
        let first = uids(ICalendarFeed(releases: [release()], windows: [window]), at: "2025-05-01T12:00:00Z")
        let later = uids(ICalendarFeed(releases: [release(title: "Renamed")], windows: [try F.yearEnd(), window]), at: "2026-02-01T00:00:00Z")
        #expect(first == ["UID:release-REL-2025-0042@shipboard", "UID:freeze-00000000-0000-0000-0000-000000000007@shipboard"])
        #expect(Set(first).isSubset(of: Set(later)))
    }
}
