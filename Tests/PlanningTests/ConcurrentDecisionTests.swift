import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Approvals and advances sent at the same moment to one release, through the real
/// request/reply path (the consumer handles requests in parallel; the release's row lock
/// puts them in order): one approval authorizes, one advance moves one phase, the rest are
/// refused, and the audit chain stays intact.
@Suite("Concurrent decisions on one release", .serialized)
struct ConcurrentDecisionTests {
    @Test("three approvers and three advances at once: one approval, one phase, the rest refused; the chain is intact")
    func concurrentApproveAndAdvance() async throws {
        try await PlanningHarness.run { harness in
            for member in ["dave", "erin", "frank"] {
                _ = try await harness.send(AddApprover(group: "release-approvers", member: member), as: "admin")
            }
            let key = try await harness.send(CreateRelease(title: "Race", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
            _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")

            let approvals = await withTaskGroup(of: CommandError?.self) { group in
                for approver in ["dave", "erin", "frank"] {
                    group.addTask { await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: approver) }
                }
                return await group.reduce(into: [CommandError?]()) { $0.append($1) }
            }
            #expect(approvals.filter { $0 == nil }.count == 1, "exactly one approval was accepted: \(approvals)")
            #expect(approvals.compactMap { $0 }.allSatisfy { $0.kind == .conflict }, "\(approvals)")

            let advances = await withTaskGroup(of: CommandError?.self) { group in
                for _ in 0..<3 {
                    group.addTask { await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol") }
                }
                return await group.reduce(into: [CommandError?]()) { $0.append($1) }
            }
            #expect(advances.filter { $0 == nil }.count == 1, "exactly one advance was accepted: \(advances)")
            #expect(advances.compactMap { $0?.rule }.allSatisfy { $0 == "releases.stale_view" }, "\(advances)")

            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            #expect(record.phase == "plan" && record.status == "in_progress")
            let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
            #expect(state.history.filter { $0.action == .approved }.count == 1)
            #expect(state.history.filter { $0.action == .advanced }.count == 1)
            let verification = try await AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring).verify(chain: key, pool: harness.pool)
            guard case .intact = verification else {
                Issue.record("audit chain: \(verification)")
                return
            }
        }
    }
}
