import Contracts
import Foundation
import Messaging
import Postgres

/// shipboard-testing's acceptance decides the release's acceptance task: `dml.entry_added`
/// finishes the approval task that directly follows the automated `test` step, as the person
/// who accepted; `image.rejected` fails it with the reason. A decision for a release that is
/// gone, or with no such task ready or in progress (a repeat, a late event), changes nothing.
///
/// The tester's right to decide was checked by shipboard-testing (and the gateway before it);
/// planning records the person as the actor, as it records a service for an automated task.
extension PlanningCommandHandlers {
    func registerAcceptance(into handlers: inout MessageHandlers) {
        handlers.on(DMLEntryAdded.self) { envelope, context in
            let event = envelope.payload
            try await acceptanceDecided(
                releaseKey: event.releaseKey ?? event.entry.releaseKey, by: event.acceptedBy ?? event.entry.acceptedBy, .finish, context)
        }
        handlers.on(ImageRejected.self) { envelope, context in
            let event = envelope.payload
            // A task's reason is 1 to 500 characters without NUL; an event that breaks that
            // still fails the task (retrying could never make the reason fit).
            let reason = String(String(event.reason.unicodeScalars.filter { $0.value != 0 }).prefix(500))
            let usable = reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "image rejected by \(event.rejectedBy)" : reason
            try await acceptanceDecided(releaseKey: event.releaseKey, by: event.rejectedBy, .fail(reason: usable), context)
        }
    }

    private func acceptanceDecided(releaseKey: String, by person: String, _ action: TaskAction, _ context: HandlerContext) async throws {
        let releases = ReleaseRepository(schema: schema)
        var release: ReleaseRecord
        do {
            release = try await releases.lock(releaseKey, in: context.transaction)
        } catch let error as CommandError where error.kind == .notFound {
            return
        }
        let workPlans = WorkPlanRepository(schema: schema)
        guard var plan = try await workPlans.load(release.key, in: context.transaction), let task = plan.acceptanceTask() else { return }
        let actor = PersonID.normalized(person)
        let now = Date()
        var transitions: [TaskTransition] = []
        if task.state == .ready { transitions.append(try plan.perform(.start, on: task.key, by: .service(actor), at: now)) }
        transitions.append(try plan.perform(action, on: task.key, by: .service(actor), at: now))
        let nowReady = transitions.flatMap(\.nowReady)
        let assigned = try await assignGroupTasks(nowReady, in: &plan, context.transaction)
        try await workPlans.saveStates(of: ([task.key] + nowReady).compactMap { plan[$0] }, releaseKey: release.key, in: context.transaction)
        for transition in transitions {
            var details = ["task": transition.key, "from": transition.from.rawValue, "to": transition.to.rawValue]
            details["reason"] = transition.to == .failed ? action.reason : nil
            let announced = transition.nowReady.isEmpty ? [:] : assigned
            if !announced.isEmpty { details["assigned"] = Self.assignmentDetail(announced) }
            let heads = try await appendAudit(to: &release, actor: actor, [(TaskChanged.messageType, details)], in: context.transaction)
            try await context.publish(
                TaskChanged(releaseKey: release.key, actor: actor, taskKey: transition.key, from: transition.from, to: transition.to,
                            reason: details["reason"], nowReady: transition.nowReady, assigned: announced.isEmpty ? nil : announced),
                correlationId: release.key, auditHead: heads.first)
        }
        try await dispatchAutomatedTasks(&plan, &release, context)
        try await advanceAutomatically(&release, context)
        try await releases.save(release, in: context.transaction)
    }
}

extension WorkPlan {
    /// The approval task that directly follows an automated `test` step and is ready or in
    /// progress: the one a tester's acceptance decides.
    func acceptanceTask() -> WorkPlanTask? {
        let testSteps = Set(tasks.filter { $0.kind == .automated && $0.step == .test }.map(\.key))
        return tasks.first { task in
            task.kind == .approval && (task.state == .ready || task.state == .inProgress) && task.predecessors.contains(where: testSteps.contains)
        }
    }
}
