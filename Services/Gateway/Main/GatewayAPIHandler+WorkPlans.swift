import Contracts
import Foundation
import GatewayAPI
import PlanningCore

extension GatewayAPIHandler {
    var workPlans: WorkPlanQueries { WorkPlanQueries(pool: pool) }

    func saveJobPlan(_ input: Operations.saveJobPlan.Input) async throws -> Operations.saveJobPlan.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let tasks = body.tasks.map(Self.taskInput)
        let saved = try await commands.send(
            SaveJobPlan(name: body.name, description: body.description ?? "", tasks: tasks), operation: "saveJobPlan",
            idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .created(.init(body: .json(try APIValue.convert(saved))))
    }

    func getWorkPlan(_ input: Operations.getWorkPlan.Input) async throws -> Operations.getWorkPlan.Output {
        .ok(.init(body: .json(try APIValue.convert(try await workPlans.workPlan(input.path.key)))))
    }

    func applyJobPlan(_ input: Operations.applyJobPlan.Input) async throws -> Operations.applyJobPlan.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let applied = try await commands.send(
            ApplyJobPlan(releaseKey: key, jobPlanName: body.jobPlanName), operation: "applyJobPlan",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .created(.init(body: .json(try APIValue.convert(applied))))
    }

    /// Planning decides whether the task is the user's; the gateway says whether the user
    /// holds the release manager role (never what the client sends).
    func actOnTask(_ input: Operations.actOnTask.Input) async throws -> Operations.actOnTask.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = ActOnTask(
            releaseKey: key, taskKey: input.path.taskKey, action: body.action.rawValue, reason: body.reason,
            asReleaseManager: try Self.user().roles.contains(.releaseManager))
        let acted = try await commands.send(
            command, operation: "actOnTask", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .ok(.init(body: .json(try Self.taskActed(acted))))
    }

    /// The answer field by field: task actions are the commonest command, and the generic
    /// JSON round trip of ``APIValue/convert(_:to:)`` was a measurable part of the gateway's
    /// CPU for them. A state this API does not list still goes the generic way (and fails there).
    static func taskActed(_ acted: TaskActed) throws -> Components.Schemas.TaskActed {
        guard let state = Components.Schemas.TaskState(rawValue: acted.state.rawValue) else { return try APIValue.convert(acted) }
        return .init(releaseKey: acted.releaseKey, taskKey: acted.taskKey, state: state, nowReady: acted.nowReady)
    }
}

extension GatewayAPIHandler {
    func addWorkPlanTask(_ input: Operations.addWorkPlanTask.Input) async throws -> Operations.addWorkPlanTask.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let edited = try await commands.send(
            AddWorkPlanTask(releaseKey: key, task: Self.taskInput(body.task), position: body.position), operation: "addWorkPlanTask",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .created(.init(body: .json(try APIValue.convert(edited))))
    }

    func editWorkPlanTask(_ input: Operations.editWorkPlanTask.Input) async throws -> Operations.editWorkPlanTask.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = EditWorkPlanTask(
            releaseKey: key, taskKey: input.path.taskKey, position: body.position, owner: body.owner, assignee: body.assignee,
            predecessors: body.predecessors, estimateMinutes: body.estimateMinutes)
        let edited = try await commands.send(
            command, operation: "editWorkPlanTask", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .ok(.init(body: .json(try APIValue.convert(edited))))
    }

    func removeWorkPlanTask(_ input: Operations.removeWorkPlanTask.Input) async throws -> Operations.removeWorkPlanTask.Output {
        let key = input.path.key
        let edited = try await commands.send(
            EditWorkPlanTask(releaseKey: key, taskKey: input.path.taskKey, remove: true), operation: "removeWorkPlanTask",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        return .ok(.init(body: .json(try APIValue.convert(edited))))
    }

    func setAutoAdvance(_ input: Operations.setAutoAdvance.Input) async throws -> Operations.setAutoAdvance.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        return .ok(try await summary(SetAutoAdvance(releaseKey: key, enabled: body.enabled), "setAutoAdvance", key,
                                     input.headers.Idempotency_hyphen_Key))
    }

    /// A task of the API as the planning contract's (enum words carried over as they are).
    static func taskInput(_ task: Components.Schemas.JobPlanTaskInput) -> JobPlanTaskInput {
        JobPlanTaskInput(
            key: task.key, title: task.title, group: task.group, phase: ReleasePhase(rawValue: task.phase.rawValue),
            owner: task.owner, estimateMinutes: task.estimateMinutes, predecessors: task.predecessors ?? [],
            kind: task.kind.map { TaskKind(rawValue: $0.rawValue) } ?? .manual, step: task.step.map { AutomatedStep(rawValue: $0.rawValue) })
    }
}
