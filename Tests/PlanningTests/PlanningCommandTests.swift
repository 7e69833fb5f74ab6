import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Planning commands over request/reply against the real servers: the handlers run in a
/// ConsumerRunner, commit state, audit and outbox together, and answer typed errors.
@Suite("Planning commands over request/reply", .serialized)
struct PlanningCommandTests {
    @Test("create, submit, approve (segregation of duties and group membership enforced), advance, reject without reason; audit and events follow")
    func releaseThroughCommands() async throws {
        let harness = try await PlanningHarness()
        _ = try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin")

        let created = try await harness.send(
            CreateRelease(title: "Payroll Q4 'patch' \\ ✓", requester: "alice", coordinator: "carol"), as: "alice")
        #expect(created.phase == .initiate && created.status == .draft)
        let key = created.releaseKey
        #expect(ReleaseKeys.isValid(key))

        // The same request twice (a client retry): the second runs into the first's inbox row,
        // rolls back (its own attempt would be refused: no longer a draft) and gets the first reply.
        let submit = Envelope(SubmitRelease(releaseKey: key), correlationId: key, actor: "alice")
        #expect(try await harness.requests.send(submit).status == .pendingApproval)
        #expect(try await harness.requests.send(submit).status == .pendingApproval)
        #expect(await harness.refusal(SubmitRelease(releaseKey: key), as: "alice")?.rule == "lifecycle.submit_requires_draft")
        for forbidden in ["alice", "carol"] {
            let error = await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: forbidden)
            #expect(error?.kind == .forbidden && error?.rule == "approval.segregation_of_duties", "\(forbidden) approved their own release")
        }
        let outsider = await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "mallory")
        #expect(outsider?.kind == .forbidden && outsider?.rule == "approval.not_in_approver_group")
        #expect(try await harness.send(ApproveRelease(releaseKey: key, comment: "fine", expectedPhase: .initiate), as: "dave").status == .inProgress)
        #expect(try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol").phase == .plan)
        #expect(await harness.refusal(RejectRelease(releaseKey: key, reason: "  ", expectedPhase: .plan), as: "erin")?.kind == .validation)
        #expect(await harness.refusal(SubmitRelease(releaseKey: "REL-999999"), as: "alice")?.kind == .notFound)

        let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
        let entries = try await audit.reader.entries(chain: key, pool: harness.pool)
        #expect(entries.first?.action == "release.created")
        #expect(entries.contains { $0.action == "release.phase_changed" })
        #expect(try await audit.verify(chain: key, pool: harness.pool) == .intact(entries: entries.count))
        let events = try await harness.outboxTypes(key)
        #expect(events.first == "release.created")
        #expect(events.contains("release.submitted") && events.contains("release.approved") && events.contains("release.phase_changed"))
        try await harness.close()
    }
}
