import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import RolloutCore

/// A release's rollout: planning, starting and steering go to shipboard-rollout by
/// request/reply (`rollout.commands`), each checked here first (the definition by the
/// planner's own rules, an action by ``RolloutControlInput``) so a bad request never reaches
/// it; reads come from its tables (``RolloutQueries``). Each route first checks that the
/// release exists (404).
extension GatewayAPIHandler {
    var rollouts: RolloutQueries { RolloutQueries(pool: pool) }

    /// A dry run answers 200 (nothing stored); a stored plan 201.
    func planRollout(_ input: Operations.planRollout.Input) async throws -> Operations.planRollout.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = try await existingRelease(input.path.key)
        // The API's input has the definition's JSON shape (plus `dryRun`, which it ignores).
        let request = RequestRolloutPlan(releaseKey: key, definition: try APIValue.convert(body), dryRun: body.dryRun)
        try RolloutDefinitionRules.check(request)
        let planned = try await commands.send(
            request, operation: "planRollout", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: key)
        let answer: Components.Schemas.RolloutPlanned = try APIValue.convert(planned)
        return planned.dryRun ? .ok(.init(body: .json(answer))) : .created(.init(body: .json(answer)))
    }

    func startRollout(_ input: Operations.startRollout.Input) async throws -> Operations.startRollout.Output {
        .ok(.init(body: .json(try await queue(
            RequestRolloutStart.init, "startRollout", input.path.key, input.headers.Idempotency_hyphen_Key))))
    }

    func controlRollout(_ input: Operations.controlRollout.Input) async throws -> Operations.controlRollout.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = { (key: String) in
            ControlRollout(
                releaseKey: key, action: RolloutControlAction(rawValue: body.action.rawValue), targets: body.targets,
                reason: body.reason)
        }
        try RolloutControlInput.check(command(input.path.key))
        return .ok(.init(body: .json(try await queue(command, "controlRollout", input.path.key, input.headers.Idempotency_hyphen_Key))))
    }

    func approveRolloutWave(_ input: Operations.approveRolloutWave.Input) async throws -> Operations.approveRolloutWave.Output {
        let command = { (key: String) in ControlRollout(releaseKey: key, action: .approveWave) }
        return .ok(.init(body: .json(try await queue(
            command, "approveRolloutWave", input.path.key, input.headers.Idempotency_hyphen_Key))))
    }

    func getRollout(_ input: Operations.getRollout.Input) async throws -> Operations.getRollout.Output {
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(try APIValue.convert(try await rollouts.status(of: key)))))
    }

    func listRolloutTargets(_ input: Operations.listRolloutTargets.Input) async throws -> Operations.listRolloutTargets.Output {
        let query = input.query
        let filter = try RolloutTargetFilter(
            state: APIValue.contract(query.state), site: query.site, wave: query.wave, limit: query.limit ?? 50,
            afterTaskKey: query.cursor)
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(try APIValue.convert(try await rollouts.targets(of: key, filter)))))
    }

    func getRolloutTarget(_ input: Operations.getRolloutTarget.Input) async throws -> Operations.getRolloutTarget.Output {
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(try APIValue.convert(try await rollouts.target(of: key, taskKey: input.path.taskKey)))))
    }
}
