import Contracts
import Foundation
import GatewayAPI
import PlanningCore

extension GatewayAPIHandler {
    func listTemplates(_ input: Operations.listTemplates.Input) async throws -> Operations.listTemplates.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await configuration.templates())))))
    }

    func defineTemplate(_ input: Operations.defineTemplate.Input) async throws -> Operations.defineTemplate.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        var gates: [ReleasePhase: ApprovalGateSpec] = [:]
        for (phase, gate) in body.gates?.additionalProperties ?? [:] {
            gates[ReleasePhase(rawValue: phase)] = ApprovalGateSpec(approverGroup: gate.approverGroup, requiredApprovals: gate.requiredApprovals)
        }
        let command = DefineReleaseTemplate(
            name: input.path.name, description: body.description, type: ReleaseType(rawValue: body._type.rawValue),
            impact: APIValue.contract(body.impact), urgency: APIValue.contract(body.urgency), risk: APIValue.contract(body.risk),
            jobPlanName: body.jobPlanName, gates: gates)
        let result = try await commands.send(
            command, operation: "defineTemplate", idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func retireTemplate(_ input: Operations.retireTemplate.Input) async throws -> Operations.retireTemplate.Output {
        let result = try await commands.send(
            RetireReleaseTemplate(name: input.path.name), operation: "retireTemplate",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func listGroups(_ input: Operations.listGroups.Input) async throws -> Operations.listGroups.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await configuration.approverGroups())))))
    }

    func addGroupMember(_ input: Operations.addGroupMember.Input) async throws -> Operations.addGroupMember.Output {
        let result = try await commands.send(
            AddApprover(group: input.path.name, member: input.path.member), operation: "addGroupMember",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func removeGroupMember(_ input: Operations.removeGroupMember.Input) async throws -> Operations.removeGroupMember.Output {
        let result = try await commands.send(
            RemoveApprover(group: input.path.name, member: input.path.member), operation: "removeGroupMember",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func setGroupAssignment(_ input: Operations.setGroupAssignment.Input) async throws -> Operations.setGroupAssignment.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let result = try await commands.send(
            SetGroupAssignment(group: input.path.name, policy: body.policy.rawValue), operation: "setGroupAssignment",
            idempotencyKey: input.headers.Idempotency_hyphen_Key, correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }

    func listExitCriteria(_ input: Operations.listExitCriteria.Input) async throws -> Operations.listExitCriteria.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await configuration.exitCriteria())))))
    }

    func configureExitCriterion(_ input: Operations.configureExitCriterion.Input) async throws -> Operations.configureExitCriterion.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let command = ConfigureExitCriterion(
            phase: ReleasePhase(rawValue: input.path.phase.rawValue), criterion: input.path.criterion, severity: body.severity.rawValue)
        let result = try await commands.send(
            command, operation: "configureExitCriterion", idempotencyKey: input.headers.Idempotency_hyphen_Key,
            correlation: "CONFIGURATION")
        return .ok(.init(body: .json(try APIValue.convert(result))))
    }
}
