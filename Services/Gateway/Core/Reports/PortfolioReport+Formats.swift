import Foundation

extension PortfolioReport {
    /// CSV columns: the first names the row's section (`release`, or `note` for what was left out).
    public static let csvHeader = [
        "section", "key", "title", "phase", "status", "priority", "scheduled_start", "scheduled_end", "work_plan_percent",
        "rollout_succeeded", "rollout_failed", "rollout_total",
    ]

    /// The report as one CSV file (``CSVText``); an absent work plan or rollout is an empty cell.
    public var csv: String {
        var rows = rows.map { row in
            ["release", row.key, row.title, row.phase, row.status, row.priority, ReportTime.text(row.scheduledStart),
             ReportTime.text(row.scheduledEnd), row.percentDone.map(ReportTime.percent) ?? "",
             row.rollout.map { String($0.succeeded) } ?? "", row.rollout.map { String($0.failed) } ?? "",
             row.rollout.map { String($0.total) } ?? ""]
        }
        rows += notes.map { ["note", "", $0] + Array(repeating: "", count: Self.csvHeader.count - 3) }
        return CSVText.render(header: Self.csvHeader, rows: rows)
    }

    /// The report as a printable, self-contained HTML page (``ReportTemplates``).
    public var html: String {
        ReportTemplates.render("portfolio", [
            "pageTitle": "Portfolio \(range.from) to \(range.to)", "from": range.from, "to": range.to, "notes": notes,
            "generatedAt": ReportTime.text(generatedAt),
            "releases": rows.map { row -> [String: Any] in
                ["key": row.key, "title": row.title, "phase": row.phase, "status": row.status, "priority": row.priority,
                 "scheduledStart": ReportTime.text(row.scheduledStart), "scheduledEnd": ReportTime.text(row.scheduledEnd),
                 "percent": row.percentDone.map { "\(ReportTime.percent($0))%" } ?? "no work plan",
                 "succeeded": row.rollout.map { String($0.succeeded) } ?? "-", "failed": row.rollout.map { String($0.failed) } ?? "-",
                 "total": row.rollout.map { String($0.total) } ?? "no rollout"]
            },
        ])
    }
}
