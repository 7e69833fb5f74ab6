import Contracts
import Foundation
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// One release: the API's release, work plan and audit queries, the audit verification
    /// planning answers (as the API's verify does), and the decision forms when the user's
    /// role allows deciding and they belong to the current gate's group.
    func releasePage(_ request: Request, key: String) async throws -> Response {
        let (session, release): (DashboardSession, ReleaseDetail)
        switch try await openRelease(request, key: key, signedOut: DashboardPages.redirect("/ui/login")) {
        case .refused(let page): return page
        case .open(let opened, let detail): (session, release) = (opened, detail)
        }
        var values: [String: Any] = [
            "key": release.key, "title": release.title, "status": release.status.rawValue, "phase": release.phase.rawValue,
            "priority": release.priority, "version": release.version, "requester": release.requester,
            "coordinator": release.coordinator,
            "timeline": PhaseTimeline(phase: release.phase, status: release.status).steps.map {
                ["phase": $0.phase.rawValue, "mark": $0.mark.rawValue]
            },
            "decisions": release.approvals.map { decision -> [String: Any] in
                ["phase": decision.phase.rawValue, "actor": decision.actor, "verdict": decision.verdict.rawValue,
                 "at": Self.timestamp(decision.at), "reason": decision.reason ?? ""]
            },
        ]
        if let gate = release.currentGate {
            values["gate"] = ["group": gate.approverGroup, "required": gate.requiredApprovals] as [String: Any]
            if try await mayDecide(session, gate: gate, release: release) {
                values["decide"] = [
                    "csrf": session.csrfToken ?? "", "approveKey": UUID().uuidString, "rejectKey": UUID().uuidString,
                ]
            }
        }
        let query = FormFields(request.uri.query ?? "")
        if let decided = query["decided"], ["approved", "rejected"].contains(decided) {
            values["notice"] = "Your decision (\(decided)) is recorded."
        }
        if let acted = query["acted"], let notice = Self.actedNotices[acted] { values["notice"] = notice }
        if let plan = try await workPlan(key) {
            values["workPlan"] = Self.workPlanValues(plan, actions: try await taskActions(plan, release: release, session: session))
        }
        values["rollout"] = try await rolloutValues(key, session: session, releaseIsTerminal: release.status.isTerminal)
        values.merge(try await detailValues(release)) { first, _ in first }
        values["audit"] = try await api.releases.auditEntries(of: key).map { entry -> [String: Any] in
            ["seq": entry.seq, "at": Self.timestamp(entry.occurredAt), "actor": entry.actor, "action": entry.action]
        }
        let (auditClass, auditStatus) = await auditVerdict(key, session: session)
        values["auditClass"] = auditClass
        values["auditStatus"] = auditStatus
        return pages.page("release", title: "\(release.key): \(release.title)", values, session: session)
    }

    /// Whether the decision forms are shown: the role allows deciding (``GatewayAccess``), the
    /// release is not final, the user has not decided at this gate yet (planning's rule), and
    /// belongs to the gate's group (the API's rule, which `requireGateMembership` checks again
    /// when the form is sent).
    func mayDecide(_ session: DashboardSession, gate: ApprovalGate, release: ReleaseDetail) async throws -> Bool {
        guard GatewayAccess.allows("approveRelease", roles: session.user.roles), !release.status.isTerminal,
              !ApprovalDecision.hasDecided(session.user.name, at: release.phase, in: release.approvals) else { return false }
        return try await api.isMember(session.user, of: gate)
    }

    /// The verdict on the audit chain, from planning (it alone holds the audit keys), as the
    /// API's `verifyReleaseAudit` sends it; a refusal or a timeout says it could not be checked.
    func auditVerdict(_ key: String, session: DashboardSession) async -> (String, String) {
        do {
            let verdict = try await asUser(session) {
                try await api.commands.send(
                    VerifyAuditTrail(releaseKey: key), operation: "verifyReleaseAudit", idempotencyKey: nil, correlation: key)
            }
            if verdict.intact { return ("ok", "Verified: all \(verdict.entries ?? 0) entries and their links check out.") }
            return ("error", "Broken at entry \(verdict.brokenAt.map(String.init) ?? "?"): \(verdict.reason ?? "it does not check out").")
        } catch {
            return ("error", "The audit trail could not be verified right now.")
        }
    }

    /// The work plan's table and chart; `actions` are the buttons by task key (``taskActions``).
    static func workPlanValues(_ plan: WorkPlanView, actions: [String: [[String: Any]]] = [:]) -> [String: Any] {
        let critical = Set(plan.criticalPath)
        var values: [String: Any] = [:]
        if let gantt = WorkPlanGantt(tasks: plan.tasks, criticalPath: plan.criticalPath) {
            values["gantt"] = [
                "width": gantt.width, "height": gantt.height, "totalMinutes": gantt.totalMinutes,
                "bars": gantt.bars.map { bar -> [String: Any] in
                    ["key": bar.key, "x": bar.x, "y": bar.y, "width": bar.width, "textY": bar.y + 15, "critical": bar.critical,
                     "start": bar.startMinute, "finish": bar.finishMinute]
                },
            ] as [String: Any]
        }
        return values.merging([
            "jobPlan": plan.jobPlanName, "jobPlanVersion": plan.jobPlanVersion, "percent": Int(plan.percent.rounded(.down)),
            "remainingMinutes": plan.remainingMinutes,
            "tasks": plan.tasks.map { task -> [String: Any] in
                ["key": task.key, "title": task.title, "phase": task.phase.rawValue, "state": task.state.rawValue,
                 "assignee": task.assignee ?? "", "estimate": task.estimateMinutes,
                 "predecessors": task.predecessors.joined(separator: ", "), "critical": critical.contains(task.key),
                 "actions": actions[task.key] ?? []]
            },
        ]) { first, _ in first }
    }

    static func timestamp(_ date: Date) -> String {
        date.ISO8601Format()
    }
}
