import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    func registerWorkPlans(into handlers: inout MessageHandlers) {
        handlers.onPlanningCommand(SaveJobPlan.self) { envelope, context in try await saveJobPlan(envelope, context) }
        handlers.onPlanningCommand(ApplyJobPlan.self) { envelope, context in try await applyJobPlan(envelope, context) }
        handlers.onPlanningCommand(ActOnTask.self) { envelope, context in try await actOnTask(envelope, context) }
        handlers.onPlanningCommand(SetAutoAdvance.self) { envelope, context in try await setAutoAdvance(envelope, context) }
    }

    /// `planning.save_job_plan`: validates the plan and stores it as the next version of its
    /// name, recorded on the configuration audit chain.
    func saveJobPlan(_ envelope: Envelope<SaveJobPlan>, _ context: HandlerContext) async throws -> JobPlanSaved {
        let plan = try Self.jobPlan(from: envelope.payload)
        try plan.validate()
        let stored = try await JobPlanRepository(schema: schema).saveNewVersion(plan, by: envelope.actor, in: context.transaction)
        try await recordConfiguration("job_plan", stored.name, "saved", envelope.actor, context,
                                      details: ["version": String(stored.version), "tasks": String(stored.tasks.count)])
        return JobPlanSaved(name: stored.name, version: stored.version, taskCount: stored.tasks.count)
    }

    /// `planning.apply_job_plan`: copies the latest version of the job plan into a release
    /// that is not finished and has no work plan yet. The standard plan is stored (version 1)
    /// the first time it is needed and has not been saved.
    func applyJobPlan(_ envelope: Envelope<ApplyJobPlan>, _ context: HandlerContext) async throws -> WorkPlanApplied {
        let command = envelope.payload
        if let name = command.jobPlanName { try ConfigurationNames.require(name, field: "jobPlanName") }
        var (record, state) = try await ReleaseRepository(schema: schema).lockWithState(command.releaseKey, in: context.transaction)
        try ReleaseLifecycle.requireNotTerminal(state)
        let workPlans = WorkPlanRepository(schema: schema)
        guard try await !workPlans.exists(record.key, in: context.transaction) else {
            throw CommandError(.conflict, "\(record.key) has a work plan already; edit it instead", rule: "work_plans.applied")
        }
        let name = command.jobPlanName ?? record.jobPlanName ?? DefaultJobPlan.name
        let plans = JobPlanRepository(schema: schema)
        var latest = try await plans.latestVersion(of: name, in: context.transaction)
        if latest == nil, name == DefaultJobPlan.name {
            let stored = try await plans.saveNewVersion(DefaultJobPlan.plan, by: envelope.actor, in: context.transaction)
            latest = (stored.version, stored.tasks.count)
        }
        guard let (version, taskCount) = latest else {
            throw CommandError(.notFound, "no job plan named \(name)", rule: "job_plans.exists", fields: ["jobPlanName": "unknown"])
        }
        let sites = try await ReleaseChanges(schema: schema).sites(of: record.key, in: context.transaction)
        let template = JobPlan(name: name, version: version, tasks: try await plans.tasks(of: name, version: version, in: context.transaction))
        var plan = WorkPlan(applying: template, sites: sites)
        let ready = plan.tasks.filter { $0.state == .ready }.map(\.key)
        let assigned = try await assignGroupTasks(ready, in: &plan, context.transaction)
        try await workPlans.apply(plan, to: record.key, in: context.transaction)
        record.jobPlanName = name
        var details = ["jobPlan": name, "version": String(version), "tasks": String(plan.tasks.count)]
        if plan.tasks.count != taskCount { details["sites"] = sites.joined(separator: ",") }
        if !assigned.isEmpty { details["assigned"] = Self.assignmentDetail(assigned) }
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(WorkPlanAppliedEvent.messageType, details)], in: context.transaction)
        try await context.publish(
            WorkPlanAppliedEvent(releaseKey: record.key, actor: envelope.actor, jobPlanName: name, jobPlanVersion: version,
                                 taskCount: plan.tasks.count),
            correlationId: record.key, auditHead: heads.first)
        // A release already in a phase with automated work starts it now.
        try await dispatchAutomatedTasks(&plan, &record, context)
        try await ReleaseRepository(schema: schema).save(record, in: context.transaction)
        return WorkPlanApplied(releaseKey: record.key, jobPlanName: name, jobPlanVersion: version, taskCount: plan.tasks.count, ready: ready)
    }

    /// `planning.act_on_task`: starts, finishes, fails or skips a task under the work plan's
    /// rules (order, who may, reasons), audited on the release's chain.
    func actOnTask(_ envelope: Envelope<ActOnTask>, _ context: HandlerContext) async throws -> TaskActed {
        let command = envelope.payload
        let action = try Self.taskAction(command.action, reason: command.reason)
        let workPlans = WorkPlanRepository(schema: schema)
        // One round trip: the lock, then only the task and the tasks around it (what the
        // action reads and may make ready), read after the lock was granted.
        let read = try await context.transaction.query(batch: [
            (ReleaseRepository(schema: schema).lockQuery(command.releaseKey), "lock release"),
            (workPlans.neighbourhoodQuery(of: command.taskKey, releaseKey: command.releaseKey), "load task neighbourhood"),
        ])
        var record = try ReleaseRepository.locked(read[0], key: command.releaseKey)
        let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
        let locked = record
        try ReleaseLifecycle.requireNotTerminal(state)
        guard var plan = try WorkPlanRepository.neighbourhood(from: read[1]) else {
            throw CommandError(.conflict, "\(record.key) has no work plan: apply a job plan first", rule: "work_plans.none")
        }
        let isReleaseManager = TaskActor.managesRelease(
            envelope.actor, asReleaseManager: command.asReleaseManager, coordinator: record.coordinator)
        // A release manager may work every task (TaskActor.mayWork): their groups are not read.
        let groups = isReleaseManager ? [] : try await ApproverGroups(schema: schema).groups(of: envelope.actor, in: context.transaction)
        let actor = TaskActor.person(envelope.actor, groups: groups, isReleaseManager: isReleaseManager)
        let transition = try plan.perform(action, on: command.taskKey, by: actor, at: Date())
        let assigned = try await assignGroupTasks(transition.nowReady, in: &plan, context.transaction)
        let changed = ([transition.key] + transition.nowReady).compactMap { plan[$0] }
        try await workPlans.saveStates(of: changed, releaseKey: record.key, in: context.transaction)
        var details = ["task": transition.key, "from": transition.from.rawValue, "to": transition.to.rawValue]
        details["reason"] = action.reason
        if !transition.nowReady.isEmpty { details["nowReady"] = transition.nowReady.joined(separator: ",") }
        if !assigned.isEmpty { details["assigned"] = Self.assignmentDetail(assigned) }
        let heads = try await appendAudit(to: &record, actor: envelope.actor, [(TaskChanged.messageType, details)], in: context.transaction)
        try await context.publish(
            TaskChanged(releaseKey: record.key, actor: envelope.actor, taskKey: transition.key, from: transition.from,
                        to: transition.to, reason: action.reason, nowReady: transition.nowReady, assigned: assigned.isEmpty ? nil : assigned),
            correlationId: record.key, auditHead: heads.first)
        try await dispatchAutomatedTasks(&plan, &record, context)
        // Nothing above changed the lifecycle state: the one decoded at the lock still holds.
        try await advanceAutomatically(&record, current: state, context)
        try await ReleaseRepository(schema: schema).save(record, lockedAs: locked, in: context.transaction)
        return TaskActed(releaseKey: record.key, taskKey: transition.key, state: transition.to, nowReady: transition.nowReady)
    }

    /// `planning.set_auto_advance`: turns auto-advance on or off; on, the release may leave
    /// its phase at once if nothing holds it.
    func setAutoAdvance(_ envelope: Envelope<SetAutoAdvance>, _ context: HandlerContext) async throws -> ReleaseSummary {
        let command = envelope.payload
        var (record, state) = try await ReleaseRepository(schema: schema).lockWithState(command.releaseKey, in: context.transaction)
        try ReleaseLifecycle.requireNotTerminal(state)
        state.autoAdvance = command.enabled
        record.state = try ContractCoding.encode(state)
        let heads = try await appendAudit(
            to: &record, actor: envelope.actor, [(AutoAdvanceSet.messageType, ["enabled": String(command.enabled)])],
            in: context.transaction)
        try await context.publish(
            AutoAdvanceSet(releaseKey: record.key, actor: envelope.actor, enabled: command.enabled),
            correlationId: record.key, auditHead: heads.first)
        try await advanceAutomatically(&record, context)
        try await ReleaseRepository(schema: schema).save(record, in: context.transaction)
        return try ContractCoding.decode(ReleaseState.self, from: record.state).summary
    }

    /// The job plan a command describes; a malformed owner is a validation error naming the task.
    static func jobPlan(from command: SaveJobPlan) throws(CommandError) -> JobPlan {
        guard command.tasks.count <= JobPlan.maximumTasks else {
            throw CommandError(.validation, "a job plan has 1 to \(JobPlan.maximumTasks) tasks", rule: "job_plans.size",
                               fields: ["tasks": "\(command.tasks.count) tasks"])
        }
        var tasks: [JobPlanTask] = []
        for (index, input) in command.tasks.enumerated() { tasks.append(try jobPlanTask(from: input, field: "tasks/\(index)/")) }
        return JobPlan(name: command.name, description: command.description, tasks: tasks)
    }

    /// One task as a sender describes it; a malformed owner is a validation error naming it.
    static func jobPlanTask(from input: JobPlanTaskInput, field prefix: String) throws(CommandError) -> JobPlanTask {
        JobPlanTask(
            key: input.key, title: input.title, group: input.group, phase: input.phase,
            owner: try TaskOwner.parse(input.owner, field: "\(prefix)owner"),
            estimateMinutes: input.estimateMinutes, predecessors: input.predecessors, kind: input.kind, step: input.step)
    }

    static func taskAction(_ word: String, reason: String?) throws(CommandError) -> TaskAction {
        switch word {
        case "start": return .start
        case "finish": return .finish
        case "fail": return .fail(reason: reason ?? "")
        case "skip": return .skip(reason: reason ?? "")
        default:
            throw CommandError(.validation, "action must be start, finish, fail or skip", rule: "tasks.action",
                               fields: ["action": "unknown"])
        }
    }
}

extension PlanningCommandHandlers {
    func registerWorkPlanEdits(into handlers: inout MessageHandlers) {
        handlers.onPlanningCommand(AddWorkPlanTask.self) { envelope, context in
            let command = envelope.payload
            let task = try Self.jobPlanTask(from: command.task, field: "task/")
            return try await editWorkPlan(command.releaseKey, task.key, change: "added", envelope.actor, context) { plan in
                try plan.add(task, at: command.position)
            }
        }
        handlers.onPlanningCommand(EditWorkPlanTask.self) { envelope, context in
            let command = envelope.payload
            let owner = try command.owner.map { text throws(CommandError) in try TaskOwner.parse(text, field: "owner") }
            var changed: [String] = []
            if command.remove { changed.append("removed") }
            if command.position != nil { changed.append("position") }
            if owner != nil || command.assignee != nil { changed.append("owner") }
            if command.predecessors != nil { changed.append("predecessors") }
            if command.estimateMinutes != nil { changed.append("estimate") }
            guard !changed.isEmpty, !(command.remove && changed.count > 1) else {
                throw CommandError(.validation, "say what to change: remove alone, or position, owner, predecessors, estimate",
                                   rule: "work_plans.edit", fields: ["change": changed.isEmpty ? "nothing to change" : "remove with other changes"])
            }
            return try await editWorkPlan(command.releaseKey, command.taskKey, change: changed.joined(separator: ","), envelope.actor, context) { plan in
                if command.remove { return try plan.remove(command.taskKey) }
                if let position = command.position { try plan.move(command.taskKey, to: position) }
                if let owner {
                    try plan.reassign(command.taskKey, to: owner, assignee: command.assignee)
                } else if let assignee = command.assignee, let current = plan[command.taskKey]?.owner {
                    try plan.reassign(command.taskKey, to: current, assignee: assignee)
                }
                if let predecessors = command.predecessors { try plan.setPredecessors(command.taskKey, predecessors) }
                if let minutes = command.estimateMinutes { try plan.setEstimate(command.taskKey, minutes: minutes) }
            }
        }
    }

    /// Locks the release, edits its work plan with the pure rules (all or nothing), writes
    /// the plan back, audits and announces the edit.
    private func editWorkPlan(
        _ releaseKey: String, _ taskKey: String, change: String, _ actor: String, _ context: HandlerContext,
        _ edit: (inout WorkPlan) throws -> Void
    ) async throws -> WorkPlanEdited {
        var (record, state) = try await ReleaseRepository(schema: schema).lockWithState(releaseKey, in: context.transaction)
        try ReleaseLifecycle.requireNotTerminal(state)
        let workPlans = WorkPlanRepository(schema: schema)
        guard var plan = try await workPlans.load(record.key, in: context.transaction) else {
            throw CommandError(.conflict, "\(record.key) has no work plan: apply a job plan first", rule: "work_plans.none")
        }
        let readyBefore = Set(plan.tasks.filter { $0.state == .ready }.map(\.key))
        try edit(&plan)
        // A task the edit made ready (added without predecessors, re-linked) gets its
        // assignee by the group's policy, as one an action makes ready does.
        let nowReady = plan.tasks.filter { $0.state == .ready && !readyBefore.contains($0.key) }.map(\.key)
        let assigned = try await assignGroupTasks(nowReady, in: &plan, context.transaction)
        try await workPlans.replace(plan, releaseKey: record.key, in: context.transaction)
        var details = ["task": taskKey, "change": change]
        if !assigned.isEmpty { details["assigned"] = Self.assignmentDetail(assigned) }
        let heads = try await appendAudit(
            to: &record, actor: actor, [(WorkPlanEditedEvent.messageType, details)], in: context.transaction)
        try await ReleaseRepository(schema: schema).save(record, in: context.transaction)
        try await context.publish(
            WorkPlanEditedEvent(releaseKey: record.key, actor: actor, taskKey: taskKey, change: change),
            correlationId: record.key, auditHead: heads.first)
        return WorkPlanEdited(
            releaseKey: record.key, taskKey: taskKey, taskCount: plan.tasks.count,
            ready: plan.tasks.filter { $0.state == .ready }.map(\.key))
    }
}
