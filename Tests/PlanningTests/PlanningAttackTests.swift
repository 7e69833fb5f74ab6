import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Planning tried the way a careless or impatient user would, through the real request/reply
/// path: a request resent after a timeout, a name of 300 characters, a NUL in an identifier.
/// Each ends in a clear answer and no doubled effect.
@Suite("Planning under a careless user", .serialized)
struct PlanningAttackTests {
    @Test("an approval resent after a timeout (same envelope) gets the first reply and approves once; a fresh click is refused")
    func resentApproval() async throws {
        try await PlanningHarness.run { harness in
            for member in ["dave", "erin"] { _ = try await harness.send(AddApprover(group: "release-approvers", member: member), as: "admin") }
            let key = try await harness.send(CreateRelease(title: "Resent", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
            _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
            let approval = Envelope(ApproveRelease(releaseKey: key, expectedPhase: .initiate), correlationId: key, actor: "dave")
            let first = try await harness.requests.send(approval)
            let resent = try await harness.requests.send(approval)
            #expect(first == resent && first.status == .inProgress)
            // The same person clicking again (a new request) is told what happened, not approved twice.
            let again = await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave")
            #expect(again?.kind == .conflict, "\(String(describing: again))")
            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
            #expect(state.history.filter { $0.action == .approved }.count == 1)
            #expect(try await harness.outboxTypes(key).filter { $0 == ReleaseApproved.messageType }.count == 1)
        }
    }

    @Test("300 characters or a NUL in a name or id: refused at once naming the field; nothing stored")
    func overlongAndNul() async throws {
        try await PlanningHarness.run { harness in
            let long = String(repeating: "x", count: 300)
            let started = ContinuousClock.now
            let requester = await harness.refusal(CreateRelease(title: "Long", requester: long), as: "alice")
            #expect(requester?.kind == .validation && requester?.fields?["requester"] != nil, "\(String(describing: requester))")
            let nulMember = await harness.refusal(AddApprover(group: "release-approvers", member: "da\u{0}ve"), as: "admin")
            #expect(nulMember?.kind == .validation && nulMember?.fields?["member"] != nil, "\(String(describing: nulMember))")
            let title = await harness.refusal(CreateRelease(title: long, requester: "alice"), as: "alice")
            #expect(title?.kind == .validation && title?.fields?["title"] != nil)
            // A 300-byte actor cannot even be read as an envelope: refused at once, not retried.
            let actor = await harness.refusal(CreateRelease(title: "Actor", requester: "alice"), as: long)
            #expect(actor?.kind == .validation, "\(String(describing: actor))")
            #expect(ContinuousClock.now - started < .seconds(5), "answers came at once")
            let count = try await harness.pool.query("SELECT count(*)::int8 FROM \(identifier: harness.schema).releases")
                .single().decode(at: 0, as: Int.self)
            #expect(count == 0)
        }
    }
}
