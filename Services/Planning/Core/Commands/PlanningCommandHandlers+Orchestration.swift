import Contracts
import Foundation
import Messaging
import Postgres

/// Planning drives the other services: when the release is in a phase whose automated tasks
/// are ready, planning starts them and sends each its service's command through the outbox
/// (it waits in the service's queue if the service is not running); the service's event
/// finishes or fails the task, which may make the next automated task ready.
extension PlanningCommandHandlers {
    func registerOrchestration(into handlers: inout MessageHandlers) {
        handlers.on(ImageBuildFinished.self) { envelope, context in try await stepFinished(envelope, context) }
        handlers.on(TestsFinished.self) { envelope, context in try await stepFinished(envelope, context) }
        handlers.on(RolloutPlanFinished.self) { envelope, context in try await stepFinished(envelope, context) }
        handlers.on(RolloutFinished.self) { envelope, context in try await stepFinished(envelope, context) }
    }

    /// Starts the ready automated tasks of the release's current phase (when it is in
    /// progress), audits and announces them and sends their commands. The caller saves the
    /// record (its audit head moved) afterwards.
    func dispatchAutomatedTasks(
        _ plan: inout WorkPlan, _ record: inout ReleaseRecord, _ context: HandlerContext
    ) async throws {
        guard record.status == ReleaseStatus.inProgress.rawValue else { return }
        let started = plan.startAutomatedTasks(of: ReleasePhase(rawValue: record.phase), at: Date())
        guard !started.isEmpty else { return }
        try await WorkPlanRepository(schema: schema).saveStates(
            of: started.compactMap { plan[$0.0.key] }, releaseKey: record.key, in: context.transaction)
        for (transition, step) in started {
            let heads = try await appendAudit(
                to: &record, actor: WorkPlan.planningActor,
                [(TaskChanged.messageType, ["task": transition.key, "from": transition.from.rawValue, "to": transition.to.rawValue,
                                            "waitingOn": "shipboard-\(step.service.rawValue)"])],
                in: context.transaction)
            try await context.publish(
                TaskChanged(releaseKey: record.key, actor: WorkPlan.planningActor, taskKey: transition.key, from: transition.from,
                            to: transition.to, reason: nil, nowReady: transition.nowReady),
                correlationId: record.key, auditHead: heads.first)
            try await send(step, releaseKey: record.key, taskKey: transition.key, context)
        }
    }

    private func send(_ step: AutomatedStep, releaseKey: String, taskKey: String, _ context: HandlerContext) async throws {
        switch step {
        case .build: try await context.send(BuildImage(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        case .test: try await context.send(RunTests(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        case .rolloutPlan: try await context.send(PlanRollout(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        case .rolloutStart: try await context.send(StartRollout(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        case .unknown: break
        }
    }

    /// A service's answer: the automated task it was sent for is done or failed. An answer
    /// for a task that is not waiting on this step (a repeat, a late or stray event, a
    /// release that is gone) changes nothing.
    func stepFinished<Kind>(_ envelope: Envelope<StepFinished<Kind>>, _ context: HandlerContext) async throws {
        let event = envelope.payload
        let step = Kind.step
        let releases = ReleaseRepository(schema: schema)
        let record: ReleaseRecord
        do {
            record = try await releases.lock(event.releaseKey, in: context.transaction)
        } catch let error as CommandError where error.kind == .notFound {
            return
        }
        var release = record
        let workPlans = WorkPlanRepository(schema: schema)
        guard var plan = try await workPlans.loadNeighbourhood(of: event.taskKey, releaseKey: release.key, in: context.transaction),
              let task = plan[event.taskKey],
              task.kind == .automated, task.step == step, task.state == .inProgress
        else { return }
        let actor = PersonID.normalized(envelope.actor)
        let action: TaskAction = event.succeeded
            ? .finish : .fail(reason: String((event.detail ?? "shipboard-\(step.service.rawValue) reported a failure").prefix(500)))
        let transition = try plan.perform(action, on: task.key, by: .service(actor), at: Date())
        try await recordTaskTransition(transition, reason: action.reason, in: &plan, of: &release, by: actor, context)
    }
}
