import Contracts
import Foundation
import GatewayAPI
import GatewayCore

/// Test runs and acceptance: commands go to shipboard-testing by request/reply, reads come
/// from its tables. The tester's identity is the envelope's actor; shipboard-testing checks
/// that nobody accepts an image they built.
extension GatewayAPIHandler {
    var testRuns: TestRunQueries { TestRunQueries(pool: pool) }

    func requestTestRun(_ input: Operations.requestTestRun.Input) async throws -> Operations.requestTestRun.Output {
        .accepted(.init(body: .json(try await queue(
            RequestTestRun.init, "requestTestRun", input.path.key, input.headers.Idempotency_hyphen_Key))))
    }

    func listTestRuns(_ input: Operations.listTestRuns.Input) async throws -> Operations.listTestRuns.Output {
        let key = try await existingRelease(input.path.key)
        return .ok(.init(body: .json(.init(releaseKey: key, items: try APIValue.convert(try await testRuns.runs(of: key))))))
    }

    func getTestRun(_ input: Operations.getTestRun.Input) async throws -> Operations.getTestRun.Output {
        .ok(.init(body: .json(try APIValue.convert(try await testRuns.run(input.path.id)))))
    }

    /// Accept (into the DML) or reject the image a run tested.
    func decideAcceptance(_ input: Operations.decideAcceptance.Input) async throws -> Operations.decideAcceptance.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let key = try await existingRelease(input.path.key)
        let idempotencyKey = input.headers.Idempotency_hyphen_Key
        switch body.decision {
        case .accept:
            let entry = try await commands.send(
                AcceptImage(releaseKey: key, runId: body.runId, overrideReason: body.overrideReason), operation: "acceptImage",
                idempotencyKey: idempotencyKey, correlation: key)
            return .ok(.init(body: .json(.init(decision: .accepted, entry: try APIValue.convert(entry)))))
        case .reject:
            guard let reason = body.reason, !reason.isEmpty else {
                throw CommandError(.validation, "a rejection needs a reason", rule: "acceptance.reason", fields: ["reason": "is required to reject"])
            }
            let rejected = try await commands.send(
                RejectImage(releaseKey: key, runId: body.runId, reason: reason), operation: "rejectImage",
                idempotencyKey: idempotencyKey, correlation: key)
            return .ok(.init(body: .json(.init(decision: .rejected, rejection: try APIValue.convert(rejected)))))
        }
    }
}
