import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Segregation of duties tried the way a dishonest user would: naming someone else as
/// requester and coordinator, handing the coordinator role on, submitting for someone else,
/// changing the case or spacing of a name. Every party of a release is kept from approving or
/// rejecting it. Against the real servers, through request/reply.
@Suite("Segregation of duties cannot be sidestepped", .serialized)
struct SegregationOfDutiesTests {
    @Test("creator, submitter and every requester and coordinator the release has had cannot decide; names compare case-blind")
    func partiesCannotDecide() async throws {
        try await PlanningHarness.run { harness in
            for member in ["mallory", "sam", "alice", "carol", "erin", "dave"] {
                _ = try await harness.send(AddApprover(group: "release-approvers", member: member), as: "admin")
            }
            // Mallory creates it naming Alice and Carol; Carol hands coordination to Erin; Sam submits.
            let key = try await harness.send(
                CreateRelease(title: "Sidestep", requester: "alice", coordinator: "carol"), as: "mallory"
            ).releaseKey
            _ = try await harness.send(UpdateRelease(releaseKey: key, coordinator: "Erin", expectedPhase: .initiate), as: "carol")
            #expect(try await harness.send(SubmitRelease(releaseKey: key), as: "sam").status == .pendingApproval)

            for party in ["mallory", "Mallory", "sam", " SAM ", "alice", "ALICE", "carol", "Carol", "erin"] {
                let approval = await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: party)
                #expect(approval?.kind == .forbidden && approval?.rule == "approval.segregation_of_duties", "'\(party)' approved")
                let rejection = await harness.refusal(RejectRelease(releaseKey: key, reason: "no", expectedPhase: .initiate), as: party)
                #expect(rejection?.kind == .forbidden && rejection?.rule == "approval.segregation_of_duties", "'\(party)' rejected")
            }
            // Dave is one member whatever the case: adding "DAVE" again is a duplicate, and "Dave" approves.
            #expect(await harness.refusal(AddApprover(group: "release-approvers", member: "DAVE"), as: "admin")?.rule == "approvers.unique")
            #expect(try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "Dave").status == .inProgress)
            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            #expect(record.requester == "alice" && record.coordinator == "erin")
            let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
            #expect(state.parties == ["alice", "carol", "erin", "mallory", "sam"])
            #expect(state.approvals.map(\.actor) == ["dave"], "stored in its one form")
        }
    }

    @Test("a state stored before parties were recorded still keeps its requester, coordinator and submitter from deciding")
    func storedStatesWithoutParties() throws {
        var state = ReleaseState(key: "REL-000001", type: .minor, requester: "alice", coordinator: "carol",
                                 gates: [.initiate: ApprovalGate(approverGroup: "cab")], creator: "mallory")
        state = try ReleaseLifecycle.submit(state, by: "sam", at: Date()).state
        var json = try JSONSerialization.jsonObject(with: ContractCoding.encode(state)) as! [String: Any]
        json.removeValue(forKey: "parties")
        let old = try ContractCoding.decode(ReleaseState.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.parties == ["alice", "carol", "sam"])
        #expect(throws: CommandError.self) { try ReleaseLifecycle.approve(old, by: "Sam", at: Date()) }
    }
}
