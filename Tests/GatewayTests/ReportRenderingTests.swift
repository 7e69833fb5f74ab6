import Foundation
import GatewayCore
import Testing

/// The reports' pure pieces: CSV that parses back (sections, quoting, formulas neutralised),
/// HTML that escapes and stands alone, the portfolio's range rules, formats and file names.
@Suite("Reports: rendering and rules")
struct ReportRenderingTests {
    static let hostile = "=cmd|' /C calc'!A0, \"quoted\"\nand <script>alert(1)</script> " + String(repeating: "x", count: 240)

    static func report(title: String = hostile) -> ReleaseReport {
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        var counts = RolloutCounts()
        counts.total = 3
        counts.succeeded = 2
        counts.failed = 1
        return ReleaseReport(
            header: .init(key: "REL-000042", title: title, phase: "deploy", status: "in_progress", priority: "p2", requester: "rita",
                          coordinator: "-carl", scheduledStart: at, scheduledEnd: at.addingTimeInterval(3_600)),
            workPlanPercent: 41.7,
            tasks: [.init(key: "structure", title: "Structure, \"all\"", phase: "plan", group: "release-managers", assignee: "rita",
                          state: "done", startedAt: at, finishedAt: at.addingTimeInterval(60))],
            decisions: [.init(phase: "initiate", actor: "anna", verdict: "approved", at: at, comment: "@SUM(A1) <b>ok</b>")],
            rolloutState: "running",
            targets: [.init(taskKey: "rollout-a-b", source: "CI-APP-0001", target: "CI-SRV-0001", site: "dc1", wave: 1,
                            outcome: "failed", attempts: 3, finishedAt: at, detail: "+exit 1")],
            sites: [.init(site: "dc1", counts: counts)],
            notifications: [.init(recipient: "ops", channel: "webhook", event: "rollout.started", address: "hooks.example.net",
                                  state: "sent", attempts: 1, createdAt: at, sentAt: at)],
            audit: .init(entries: 7, first: at, last: at.addingTimeInterval(600), verdict: .intact(entries: 7)),
            notes: [], generatedAt: at)
    }

    @Test("the release CSV parses back: one header, a section first on every row, hostile cells intact but neutralised")
    func releaseCSV() throws {
        let rows = try Self.parse(ReleaseReportCSV.render(Self.report()))
        #expect(rows.first == ReleaseReportCSV.header)
        #expect(rows.allSatisfy { $0.count == ReleaseReportCSV.header.count })
        #expect(rows.dropFirst().map { $0[0] } == ["release", "task", "approval", "target", "site", "site", "site", "notification", "audit"])
        let column = { (name: String) in ReleaseReportCSV.header.firstIndex(of: name)! }
        #expect(rows[1][column("title")] == "'" + Self.hostile, "a formula is prefixed with ' and the rest kept as typed")
        #expect(rows[1][column("coordinator")] == "'-carl" && rows[1][column("count")] == "41")
        #expect(rows[1][column("start")] == "2023-11-14T22:13:20Z")
        #expect(rows[2][column("title")] == "Structure, \"all\"")
        #expect(rows[3][column("comment")] == "'@SUM(A1) <b>ok</b>")
        #expect(rows[4][column("target")] == "CI-SRV-0001" && rows[4][column("status")] == "failed" && rows[4][column("attempts")] == "3")
        #expect(rows[4][column("comment")] == "'+exit 1")
        #expect(rows[5][column("site")] == "dc1" && rows[5][column("status")] == "succeeded" && rows[5][column("count")] == "2")
        #expect(rows[8][column("address")] == "hooks.example.net")
        #expect(rows[9][column("status")] == "intact" && rows[9][column("count")] == "7")
        #expect(rows.dropFirst().allSatisfy { row in row.allSatisfy { !"=+-@".contains($0.first ?? " ") } })
    }

    @Test("the release HTML escapes what people typed, stands alone and prints")
    func releaseHTML() {
        let html = ReleaseReportHTML.render(Self.report())
        #expect(html.hasPrefix("<!doctype html>") && html.contains("<meta charset=\"utf-8\">") && html.contains("@media print"))
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<b>ok</b>") && html.contains("&lt;b&gt;ok&lt;/b&gt;"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("url("), "nothing is fetched")
        #expect(html.contains("CI-SRV-0001") && html.contains("succeeded 2, failed 1, total 3") && html.contains("41% done"))
        #expect(html.contains("Verified: all 7 entries"))
        var unverified = Self.report(title: "Plain")
        unverified.audit.verdict = .unverified
        unverified.rolloutState = nil
        let page = ReleaseReportHTML.render(unverified)
        #expect(page.contains("could not be verified") && page.contains("No rollout."))
    }

    @Test("the portfolio range: days YYYY-MM-DD, from not after to, at most 366 days, real days only")
    func portfolioRange() throws {
        let range = try PortfolioRange(from: "2026-01-01", to: "2026-12-31")
        #expect(range.end.timeIntervalSince(range.start) == 365 * 86_400)
        _ = try PortfolioRange(from: "2024-01-01", to: "2024-12-31")  // 366 days, a leap year
        for (from, to) in [("2026-02-01", "2026-01-31"), ("2026-01-01", "2027-01-02"), ("2026-2-01", "2026-03-01"),
                           ("2026-02-30", "2026-03-01"), ("2026-01-01\u{0}", "2026-01-02"), ("", "2026-01-02"), (nil, "2026-01-02"),
                           ("2026-01-01", "tomorrow"), ("+026-01-01", "2026-01-02"), ("２０２６-01-01", "2026-01-02")] as [(String?, String?)] {
            #expect(throws: (any Error).self, "\(String(describing: from)) \(String(describing: to))") {
                try PortfolioRange(from: from, to: to)
            }
        }
    }

    @Test("the portfolio as CSV and HTML: absent plans and rollouts are empty, not zero; a truncated list says so")
    func portfolioFormats() throws {
        var counts = RolloutCounts()
        counts.total = 10
        counts.succeeded = 9
        counts.failed = 1
        let range = try PortfolioRange(from: "2026-03-01", to: "2026-03-31")
        let report = PortfolioReport(range: range, rows: [
            .init(key: "REL-000001", title: "<i>One</i>, =2", phase: "deploy", status: "in_progress", priority: "p1",
                  scheduledStart: Date(timeIntervalSince1970: 1_772_323_200), scheduledEnd: nil, percentDone: 50, rollout: counts),
            .init(key: "REL-000002", title: "Two", phase: "plan", status: "draft", priority: "p3", scheduledStart: nil,
                  scheduledEnd: nil, percentDone: nil, rollout: nil),
        ], truncated: true, generatedAt: Date())
        let rows = try Self.parse(report.csv)
        #expect(rows[0] == PortfolioReport.csvHeader)
        #expect(rows[1] == ["release", "REL-000001", "<i>One</i>, =2", "deploy", "in_progress", "p1", "2026-03-01T00:00:00Z", "", "50", "9", "1", "10"])
        #expect(rows[2] == ["release", "REL-000002", "Two", "plan", "draft", "p3", "", "", "", "", "", ""])
        #expect(rows[3][0] == "note" && rows[3].count == PortfolioReport.csvHeader.count)
        let html = report.html
        #expect(html.contains("&lt;i&gt;One&lt;/i&gt;") && !html.contains("<i>") && html.contains("Only the first 2000 releases"))
    }

    @Test("formats: html by default, csv, nothing else; file names keep letters, digits and - only")
    func formats() throws {
        #expect(try ReportFormat(parsing: nil) == .html && ReportFormat(parsing: "csv") == .csv)
        #expect(throws: (any Error).self) { try ReportFormat(parsing: "pdf") }
        #expect(ReportFormat.csv.fileName("REL-000042") == "REL-000042-report.csv")
        #expect(ReportFormat.csv.fileName("a\"; b/../\r\nc") == "abc-report.csv")
    }

    /// RFC 4180 as a spreadsheet reads it: quoted cells may hold commas, quotes (doubled) and
    /// line breaks; records end in CRLF.
    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false, atStart = true
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" { cell.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atStart: quoted = true
            case ",": row.append(cell); cell = ""; atStart = true; continue
            case "\r":
                guard characters.popFirst() == "\n" else { throw CSVParseError() }
                row.append(cell); rows.append(row); row = []; cell = ""; atStart = true; continue
            default: cell.unicodeScalars.append(scalar)
            }
            atStart = false
        }
        guard row.isEmpty, cell.isEmpty, !quoted else { throw CSVParseError() }
        return rows
    }

    struct CSVParseError: Error {}
}
