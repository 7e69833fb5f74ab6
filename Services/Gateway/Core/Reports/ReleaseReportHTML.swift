import Foundation

/// A ``ReleaseReport`` as a printable, self-contained HTML page (``ReportTemplates``).
public enum ReleaseReportHTML {
    public static func render(_ report: ReleaseReport) -> String {
        ReportTemplates.render("release", values(report))
    }

    static func values(_ report: ReleaseReport) -> [String: Any] {
        let head = report.header, audit = report.audit
        var values: [String: Any] = [
            "pageTitle": "\(head.key) status report", "generatedAt": ReportTime.text(report.generatedAt), "notes": report.notes,
            "key": head.key, "title": head.title, "phase": head.phase, "status": head.status, "priority": head.priority,
            "requester": head.requester, "coordinator": head.coordinator,
            "scheduledStart": head.scheduledStart.map { ReportTime.text($0) } ?? "not scheduled",
            "scheduledEnd": head.scheduledEnd.map { ReportTime.text($0) } ?? "not scheduled",
            "percent": report.workPlanPercent.map { "\(ReportTime.percent($0))% done" } ?? "no work plan",
            "tasks": report.tasks.map { task -> [String: Any] in
                ["key": task.key, "title": task.title, "phase": task.phase, "group": task.group, "assignee": task.assignee ?? "",
                 "state": task.state, "startedAt": ReportTime.text(task.startedAt), "finishedAt": ReportTime.text(task.finishedAt)]
            },
            "decisions": report.decisions.map { decision -> [String: Any] in
                ["phase": decision.phase, "actor": decision.actor, "verdict": decision.verdict, "at": ReportTime.text(decision.at),
                 "comment": decision.comment ?? ""]
            },
            "sites": report.sites.map { site -> [String: Any] in
                ["site": site.site,
                 "counts": ReportSiteCounts.states(site.counts).map { "\($0.0) \($0.1)" }.joined(separator: ", ")]
            },
            "targets": report.targets.map { target -> [String: Any] in
                ["target": target.target, "source": target.source, "site": target.site, "wave": target.wave,
                 "outcome": target.outcome, "attempts": target.attempts, "finishedAt": ReportTime.text(target.finishedAt)]
            },
            "notifications": report.notifications.map { note -> [String: Any] in
                ["recipient": note.recipient, "channel": note.channel, "address": note.address ?? "", "event": note.event,
                 "state": note.state, "attempts": note.attempts, "sentAt": ReportTime.text(note.sentAt)]
            },
            "auditEntries": audit.entries, "auditFirst": ReportTime.text(audit.first), "auditLast": ReportTime.text(audit.last),
            "auditVerdict": audit.verdict.sentence,
            "auditClass": audit.verdict.word == "intact" ? "intact" : "broken",
        ]
        if let state = report.rolloutState { values["rolloutState"] = state }
        return values
    }
}
