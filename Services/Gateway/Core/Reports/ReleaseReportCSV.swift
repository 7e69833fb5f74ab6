import Foundation

/// A ``ReleaseReport`` as one CSV file (``CSVText``: RFC 4180, CRLF, formulas neutralised):
/// one header row, then rows whose first column names their section, so the whole report is
/// one download a spreadsheet can filter. The columns are shared; a section fills those that
/// mean something for it:
///
/// - `release`: key, title, phase, status, priority, person (requester), coordinator,
///   start/finish (the schedule), count (work-plan percent done)
/// - `task`: key, title, phase, status (state), person (assignee), group, start/finish, comment (reason)
/// - `approval`: phase, status (approved/rejected), person, finish (when), comment
/// - `target`: key (task key), title (source CI), target, site, wave, status (outcome), attempts, finish, comment (detail)
/// - `site`: site, status (a target state), count
/// - `notification`: person (recipient), channel, event, address, status (state), attempts, start (created), finish (sent)
/// - `audit`: status (intact/broken/unverified), count (entries), start/finish (first/last entry), comment (the verdict)
/// - `note`: comment (what the report left out)
///
/// Times are UTC ISO 8601.
public enum ReleaseReportCSV {
    public static let header = [
        "section", "key", "title", "phase", "status", "priority", "person", "coordinator", "group", "target", "site", "wave",
        "attempts", "channel", "event", "address", "count", "start", "finish", "comment",
    ]

    /// One row: the named columns set, the others empty.
    static func row(_ section: String, _ cells: [String: String]) -> [String] {
        header.map { $0 == "section" ? section : cells[$0] ?? "" }
    }

    public static func render(_ report: ReleaseReport) -> String {
        CSVText.render(header: header, rows: rows(report))
    }

    static func rows(_ report: ReleaseReport) -> [[String]] {
        let head = report.header
        var rows = [row("release", [
            "key": head.key, "title": head.title, "phase": head.phase, "status": head.status, "priority": head.priority,
            "person": head.requester, "coordinator": head.coordinator, "start": ReportTime.text(head.scheduledStart),
            "finish": ReportTime.text(head.scheduledEnd), "count": report.workPlanPercent.map(ReportTime.percent) ?? "",
        ])]
        rows += report.tasks.map { task in
            row("task", [
                "key": task.key, "title": task.title, "phase": task.phase, "status": task.state, "person": task.assignee ?? "",
                "group": task.group, "start": ReportTime.text(task.startedAt), "finish": ReportTime.text(task.finishedAt),
                "comment": task.reason ?? "",
            ])
        }
        rows += report.decisions.map { decision in
            row("approval", [
                "phase": decision.phase, "status": decision.verdict, "person": decision.actor,
                "finish": ReportTime.text(decision.at), "comment": decision.comment ?? "",
            ])
        }
        rows += report.targets.map { target in
            row("target", [
                "key": target.taskKey, "title": target.source, "target": target.target, "site": target.site,
                "wave": String(target.wave), "status": target.outcome, "attempts": String(target.attempts),
                "finish": ReportTime.text(target.finishedAt), "comment": target.detail ?? "",
            ])
        }
        rows += report.sites.flatMap { site in
            ReportSiteCounts.states(site.counts).map { state, count in
                row("site", ["site": site.site, "status": state, "count": String(count)])
            }
        }
        rows += report.notifications.map { note in
            row("notification", [
                "person": note.recipient, "channel": note.channel, "event": note.event, "address": note.address ?? "",
                "status": note.state, "attempts": String(note.attempts), "start": ReportTime.text(note.createdAt),
                "finish": ReportTime.text(note.sentAt),
            ])
        }
        let audit = report.audit
        rows.append(row("audit", [
            "status": audit.verdict.word, "count": String(audit.entries), "start": ReportTime.text(audit.first),
            "finish": ReportTime.text(audit.last), "comment": audit.verdict.sentence,
        ]))
        rows += report.notes.map { row("note", ["comment": $0]) }
        return rows
    }
}
