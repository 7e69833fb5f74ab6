import CLICore
import Foundation
import GatewayAPI

/// Releases as tables and field lists for a terminal (80 columns).
enum ReleaseText {
    /// After a command: `approved REL-000001: plan ▸ in_progress`, then its warnings.
    static func summary(_ verb: String, _ summary: Components.Schemas.ReleaseSummary) -> String {
        let head = "\(verb) \(summary.releaseKey): \(summary.phase.rawValue) ▸ \(summary.status.rawValue)\n"
        return head + (summary.warnings ?? []).map { "warning: \($0)\n" }.joined()
    }

    static func list(_ items: [Components.Schemas.ReleaseListItem]) -> String {
        guard !items.isEmpty else { return "no releases\n" }
        return TextTable(
            header: ["KEY", "PHASE", "STATUS", "PRIORITY", "TITLE"],
            rows: items.map { [$0.key, $0.phase.rawValue, $0.status.rawValue, $0.priority.rawValue, $0.title] }
        ).text
    }

    static func detail(_ release: Components.Schemas.Release) -> String {
        var text = CellText.truncate("\(release.key)  \(release.title)", to: TextTable.standardWidth) + "\n"
        text += FieldList([
            ("status", ReleaseProgress.summary(phase: release.phase.rawValue, status: release.status.rawValue)),
            ("version", "\(release.version)"),
            ("type", release._type.rawValue),
            ("priority", "\(release.priority.rawValue) (impact \(release.impact.rawValue), urgency \(release.urgency.rawValue))"),
            ("risk", release.risk.rawValue),
            ("requester", release.requester), ("coordinator", release.coordinator),
            ("template", release.template), ("job plan", release.jobPlanName),
            ("scheduled", schedule(release.scheduledStart, release.scheduledEnd)),
            ("target date", release.targetDate.map(DateText.cell)),
            ("created", DateText.cell(release.createdAt)), ("updated", DateText.cell(release.updatedAt)),
            ("gate", gate(release)),
            ("justification", release.justification.isEmpty ? nil : release.justification),
            ("description", release.description.isEmpty ? nil : release.description),
        ]).text
        text += section("APPROVALS", release.approvals.isEmpty ? nil : TextTable(
            header: ["PHASE", "VERDICT", "BY", "AT", "REASON"],
            rows: release.approvals.map { [$0.phase.rawValue, $0.verdict.rawValue, $0.actor, DateText.cell($0.at), $0.reason ?? ""] }))
        text += section("HISTORY", release.history.isEmpty ? nil : TextTable(
            header: ["AT", "ACTION", "PHASE", "STATUS", "BY", "REASON"],
            rows: release.history.map {
                [DateText.cell($0.at), $0.action.rawValue, $0.phase.rawValue,
                 "\($0.fromStatus.rawValue) → \($0.toStatus.rawValue)", $0.actor, $0.reason ?? ""]
            }))
        text += section("CHANGES", release.changes.isEmpty ? nil : TextTable(
            header: ["ID", "STATUS", "RISK", "CIS", "TITLE"],
            rows: release.changes.map {
                [$0.externalID, $0.status.rawValue, $0.risk.rawValue, $0.affectedCIs.joined(separator: " "), $0.title]
            }))
        return text
    }

    /// `2 approvals from cab (1 given)`: approvals counted for the current phase only.
    static func gate(_ release: Components.Schemas.Release) -> String? {
        guard let gate = release.currentGate else { return nil }
        let given = release.approvals.filter { $0.phase == release.phase && $0.verdict == .approved }.count
        let noun = gate.requiredApprovals == 1 ? "approval" : "approvals"
        return "\(release.phase.rawValue) needs \(gate.requiredApprovals) \(noun) from \(gate.approverGroup) (\(given) given)"
    }

    static func schedule(_ start: Date?, _ end: Date?) -> String? {
        guard start != nil || end != nil else { return nil }
        return "\(start.map(DateText.cell) ?? "?") → \(end.map(DateText.cell) ?? "?")"
    }

    /// A titled table, or `none` under the title, after a blank line.
    static func section(_ title: String, _ table: TextTable?) -> String {
        "\n\(title)\n" + (table?.text ?? "none\n")
    }
}
