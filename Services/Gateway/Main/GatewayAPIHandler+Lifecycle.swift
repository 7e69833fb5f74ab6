import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import PlanningCore

extension GatewayAPIHandler {
    func submitRelease(_ input: Operations.submitRelease.Input) async throws -> Operations.submitRelease.Output {
        let key = input.path.key
        return .ok(try await summary(SubmitRelease(releaseKey: key), "submitRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func approveRelease(_ input: Operations.approveRelease.Input) async throws -> Operations.approveRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        try await requireGateMembership(key)
        let command = ApproveRelease(
            releaseKey: key, comment: body.comment, expectedPhase: ReleasePhase(rawValue: body.expectedPhase.rawValue),
            expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "approveRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func rejectRelease(_ input: Operations.rejectRelease.Input) async throws -> Operations.rejectRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        try await requireGateMembership(key)
        let command = RejectRelease(
            releaseKey: key, reason: body.reason, expectedPhase: ReleasePhase(rawValue: body.expectedPhase.rawValue),
            expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "rejectRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func advanceRelease(_ input: Operations.advanceRelease.Input) async throws -> Operations.advanceRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = AdvanceRelease(releaseKey: key, expectedPhase: .init(rawValue: body.expectedPhase.rawValue),
                                     expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "advanceRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func holdRelease(_ input: Operations.holdRelease.Input) async throws -> Operations.holdRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = HoldRelease(releaseKey: key, reason: body.reason, expectedPhase: .init(rawValue: body.expectedPhase.rawValue),
                                  expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "holdRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func resumeRelease(_ input: Operations.resumeRelease.Input) async throws -> Operations.resumeRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = ResumeRelease(releaseKey: key, expectedPhase: .init(rawValue: body.expectedPhase.rawValue),
                                    expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "resumeRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func cancelRelease(_ input: Operations.cancelRelease.Input) async throws -> Operations.cancelRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = CancelRelease(releaseKey: key, reason: body.reason, expectedPhase: .init(rawValue: body.expectedPhase.rawValue),
                                    expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "cancelRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    func closeRelease(_ input: Operations.closeRelease.Input) async throws -> Operations.closeRelease.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = input.path.key
        let command = CloseRelease(releaseKey: key, expectedPhase: .init(rawValue: body.expectedPhase.rawValue),
                                   expectedVersion: body.expectedVersion)
        return .ok(try await summary(command, "closeRelease", key, input.headers.Idempotency_hyphen_Key))
    }

    /// Object-level authorization for decisions: the user must belong to the approver group
    /// the release's current gate names. A release without a gate now is left to planning (it
    /// refuses the decision as a conflict). The denial says nothing about the release.
    func requireGateMembership(_ key: String) async throws {
        let user = try Self.user()
        guard let gate = try await releases.release(key).currentGate else { return }
        guard try await isMember(user, of: gate) else {
            throw CommandError(.forbidden, "you may not decide on this release", rule: "auth.object")
        }
    }

    /// Whether `user` belongs to the approver group `gate` names (the rule of
    /// ``requireGateMembership(_:)``, also what the dashboard asks before it shows its forms).
    func isMember(_ user: GatewayUser, of gate: ApprovalGate) async throws -> Bool {
        try await configuration.groups(of: user.name).contains(gate.approverGroup)
    }
}
