import Contracts
import Foundation
import PlanningCore

extension ReleaseReport {
    /// The report from what the API's reads answer: gate decisions are the release's history
    /// of approvals and rejections (every phase's, where the release's `approvals` hold only
    /// the current gate's); targets are the latest rollout's, in deploy order.
    init(
        release: ReleaseDetail, workPlan: WorkPlanView?, rollout: RolloutStatusView?, targets: [RolloutTargetView],
        moreTargets: Bool, deliveries: DeliveryPage, auditEntries: [AuditEntry], verdict: Verdict, generatedAt: Date
    ) {
        var notes: [String] = []
        if moreTargets { notes.append("Only the first \(Self.targetLimit) targets are listed; the per-site counts cover all of them.") }
        if deliveries.nextCursor != nil {
            notes.append("Only the first \(DeliveryFilter.exportLimit) notifications are listed.")
        }
        self.init(
            header: Header(
                key: release.key, title: release.title, phase: release.phase.rawValue, status: release.status.rawValue,
                priority: release.priority, requester: release.requester, coordinator: release.coordinator,
                scheduledStart: release.scheduledStart, scheduledEnd: release.scheduledEnd),
            workPlanPercent: workPlan?.percent,
            tasks: (workPlan?.tasks ?? []).map { task in
                Task(key: task.key, title: task.title, phase: task.phase.rawValue, group: task.group, assignee: task.assignee,
                     state: task.state.rawValue, startedAt: task.startedAt, finishedAt: task.finishedAt, reason: task.reason)
            },
            decisions: release.history.compactMap { record in
                guard record.action == .approved || record.action == .rejected else { return nil }
                return Decision(phase: record.phase.rawValue, actor: record.actor, verdict: record.action.rawValue, at: record.at,
                                comment: record.reason)
            },
            rolloutState: rollout?.state,
            targets: targets.map { target in
                Target(taskKey: target.taskKey, source: target.source, target: target.target, site: target.site, wave: target.wave,
                       outcome: target.state, attempts: target.attempts, finishedAt: target.finishedAt, detail: target.detail)
            },
            sites: (rollout?.sites ?? []).map { Site(site: $0.site, counts: $0.progress.counts) },
            notifications: deliveries.items.map { delivery in
                Notification(recipient: delivery.recipient, channel: delivery.channel, event: delivery.eventType,
                             address: delivery.address, state: delivery.state, attempts: delivery.attempts,
                             createdAt: delivery.createdAt, sentAt: delivery.sentAt)
            },
            audit: Audit(entries: auditEntries.count, first: auditEntries.first?.occurredAt, last: auditEntries.last?.occurredAt,
                         verdict: verdict),
            notes: notes, generatedAt: generatedAt)
    }
}
