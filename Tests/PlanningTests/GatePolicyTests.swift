import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Policy that templates cannot weaken: every release has a review gate, major and emergency
/// releases also the initiate and deploy gates, whatever the template; a gate asking for more
/// approvals than its group has eligible members is refused when defined and again at submit.
/// Against the real servers, through request/reply.
@Suite("Planning's gate policy", .serialized)
struct GatePolicyTests {
    func gates(_ harness: PlanningHarness, _ key: String) async throws -> [ReleasePhase: ApprovalGate] {
        let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
        return try ContractCoding.decode(ReleaseState.self, from: record.state).gates
    }

    @Test("a template without gates still gives a major release its initiate, deploy and review gates; its own gates stay")
    func templatesOnlyAdd() async throws {
        try await PlanningHarness.run { harness in
            for member in ["dave", "erin"] { _ = try await harness.send(AddApprover(group: "cab", member: member), as: "admin") }
            _ = try await harness.send(DefineReleaseTemplate(name: "lax", type: .major), as: "admin")
            let lax = try await harness.send(CreateRelease(title: "Lax", requester: "alice", templateName: "lax"), as: "alice").releaseKey
            #expect(try await gates(harness, lax) == [
                .initiate: ApprovalGate(approverGroup: "release-approvers"), .deploy: ApprovalGate(approverGroup: "release-approvers"),
                .review: ApprovalGate(approverGroup: "release-approvers"),
            ])
            _ = try await harness.send(DefineReleaseTemplate(
                name: "strict", type: .minor, gates: [.review: ApprovalGateSpec(approverGroup: "cab", requiredApprovals: 2)]), as: "admin")
            let strict = try await harness.send(CreateRelease(title: "Strict", requester: "alice", templateName: "strict"), as: "alice").releaseKey
            #expect(try await gates(harness, strict) == [.review: ApprovalGate(approverGroup: "cab", requiredApprovals: 2)])
            // A minor release made major in initiate gets the gates a major release must have.
            _ = try await harness.send(UpdateRelease(releaseKey: strict, type: .major, expectedPhase: .initiate), as: "alice")
            #expect(try await gates(harness, strict).keys.sorted { $0.rawValue < $1.rawValue } == [.deploy, .initiate, .review])
        }
    }

    @Test("a gate its group cannot pass is refused when defined, and at submit when the parties leave too few eligible")
    func unreachableGates() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(AddApprover(group: "cab", member: "dave"), as: "admin")
            let tooMany = await harness.refusal(DefineReleaseTemplate(
                name: "two-cab", type: .minor, gates: [.initiate: ApprovalGateSpec(approverGroup: "cab", requiredApprovals: 2)]), as: "admin")
            #expect(tooMany?.kind == .validation && tooMany?.rule == "templates.gate_unreachable")
            #expect(tooMany?.fields?["gates.initiate"]?.contains("cab") == true, "\(String(describing: tooMany))")

            // Dave is release-approvers' only member; as requester he cannot approve, so the release would stall.
            _ = try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
            let key = try await harness.send(CreateRelease(title: "Stalls", requester: "dave", coordinator: "carol"), as: "carol").releaseKey
            let stalled = await harness.refusal(SubmitRelease(releaseKey: key), as: "carol")
            #expect(stalled?.kind == .conflict && stalled?.rule == "approval.gate_unreachable")
            #expect(stalled?.fields?["gates.review"]?.contains("release-approvers") == true, "\(String(describing: stalled))")
            _ = try await harness.send(AddApprover(group: "release-approvers", member: "erin"), as: "admin")
            #expect(try await harness.send(SubmitRelease(releaseKey: key), as: "carol").status == .pendingApproval)
        }
    }
}
