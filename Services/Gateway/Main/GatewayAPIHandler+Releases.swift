import Contracts
import Foundation
import GatewayAPI
import PlanningCore

extension GatewayAPIHandler {
    func listReleases(_ input: Operations.listReleases.Input) async throws -> Operations.listReleases.Output {
        let query = input.query
        let page = try await releases.releases(ReleaseFilter(
            phase: APIValue.contract(query.phase), status: APIValue.contract(query.status),
            type: APIValue.contract(query._type), priority: APIValue.contract(query.priority),
            titleContains: query.q, limit: query.limit ?? 50, afterKey: query.cursor))
        return .ok(.init(body: .json(.init(
            items: try APIValue.convert(page.items), nextCursor: page.nextAfterKey))))
    }

    func getRelease(_ input: Operations.getRelease.Input) async throws -> Operations.getRelease.Output {
        .ok(.init(body: .json(try APIValue.convert(try await releases.release(input.path.key)))))
    }

    func createRelease(_ input: Operations.createRelease.Input) async throws -> Operations.createRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        var command = CreateRelease(
            title: body.title, description: body.description, type: APIValue.contract(body._type),
            impact: APIValue.contract(body.impact), urgency: APIValue.contract(body.urgency), risk: APIValue.contract(body.risk),
            businessJustification: body.businessJustification, requester: body.requester, coordinator: body.coordinator,
            scheduledStart: body.scheduledStart, scheduledEnd: body.scheduledEnd, targetDate: body.targetDate,
            templateName: body.templateName, jobPlanName: body.jobPlanName)
        command.freezeOverrideReason = body.freezeOverrideReason
        command.asReleaseManager = try Self.user().roles.contains(.releaseManager)
        let summary = try await commands.send(
            command, operation: "createRelease", idempotencyKey: input.headers.Idempotency_hyphen_Key)
        return .created(.init(body: .json(try APIValue.convert(summary))))
    }

    func updateRelease(_ input: Operations.updateRelease.Input) async throws -> Operations.updateRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        var command = UpdateRelease(
            releaseKey: key, title: body.title, description: body.description, impact: APIValue.contract(body.impact),
            urgency: APIValue.contract(body.urgency), risk: APIValue.contract(body.risk),
            businessJustification: body.businessJustification, coordinator: body.coordinator,
            scheduledStart: body.scheduledStart, scheduledEnd: body.scheduledEnd, targetDate: body.targetDate,
            type: APIValue.contract(body._type), jobPlanName: body.jobPlanName, priority: APIValue.contract(body.priority),
            priorityReason: body.priorityReason, expectedPhase: ReleasePhase(rawValue: body.expectedPhase.rawValue),
            expectedVersion: body.expectedVersion)
        command.freezeOverrideReason = body.freezeOverrideReason
        command.asReleaseManager = try Self.user().roles.contains(.releaseManager)
        return .ok(try await summary(command, "updateRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func addChange(_ input: Operations.addChange.Input) async throws -> Operations.addChange.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let change = ChangeRequestInput(
            externalId: body.externalId, title: body.title, status: body.status, risk: body.risk,
            affectedCIs: body.affectedCIs ?? [])
        return .ok(try await summary(AddChange(releaseKey: key, change: change), "addChange", key, input.headers.Idempotency_hyphen_Key))
    }

    func removeChange(_ input: Operations.removeChange.Input) async throws -> Operations.removeChange.Output {
        let key = input.path.key
        let command = RemoveChange(releaseKey: key, externalId: input.path.externalId, reason: input.query.reason)
        return .ok(try await summary(command, "removeChange", key, input.headers.Idempotency_hyphen_Key))
    }

    func getReleaseImpact(_ input: Operations.getReleaseImpact.Input) async throws -> Operations.getReleaseImpact.Output {
        .ok(.init(body: .json(.init(items: try APIValue.convert(try await releases.impactSet(of: input.path.key))))))
    }

    func getReleaseAudit(_ input: Operations.getReleaseAudit.Input) async throws -> Operations.getReleaseAudit.Output {
        let key = input.path.key
        let entries = try await releases.auditEntries(of: key).map { entry in
            Components.Schemas.AuditEntry(
                seq: entry.seq, actor: entry.actor, action: entry.action,
                details: .init(additionalProperties: entry.details), occurredAt: entry.occurredAt,
                keyId: entry.keyID, previousMac: entry.previousMAC, mac: entry.mac)
        }
        return .ok(.init(body: .json(.init(releaseKey: key, entries: entries))))
    }

    func verifyReleaseAudit(_ input: Operations.verifyReleaseAudit.Input) async throws -> Operations.verifyReleaseAudit.Output {
        let key = input.path.key
        let verdict = try await commands.send(VerifyAuditTrail(releaseKey: key), operation: "verifyReleaseAudit", idempotencyKey: nil,
                                              correlation: key)
        return .ok(.init(body: .json(try APIValue.convert(verdict))))
    }

    /// Sends a command answered by a `ReleaseSummary` and wraps the answer.
    func summary<Command: CommandContract>(
        _ command: Command, _ operation: String, _ key: String, _ idempotencyKey: String?
    ) async throws -> Components.Responses.ReleaseSummary where Command.Result == ReleaseSummary {
        let summary = try await commands.send(command, operation: operation, idempotencyKey: idempotencyKey, correlation: key)
        return .init(body: .json(try APIValue.convert(summary)))
    }

    static var unsupportedBody: CommandError {
        CommandError(.validation, "the request body must be JSON", rule: "requests.well_formed")
    }
}
