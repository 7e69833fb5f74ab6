import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Editing a release and its changes over request/reply, against the real servers.
@Suite("Release edits and changes over request/reply", .serialized)
struct ReleaseEditCommandTests {
    @Test("update changes fields, recomputes priority, names changed fields; bad input and finished releases are refused")
    func updateRelease() async throws {
        let harness = try await PlanningHarness()
        let key = try await harness.send(
            CreateRelease(title: "Billing", impact: .low, urgency: .low, requester: "alice", coordinator: "carol"), as: "alice"
        ).releaseKey
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        _ = try await harness.send(
            UpdateRelease(releaseKey: key, title: "Billing v2 — \"quoted\" ✓", impact: .high, urgency: .high,
                          scheduledStart: start, scheduledEnd: start.addingTimeInterval(3600),
                          targetDate: Date(timeIntervalSince1970: 1_900_022_400), expectedPhase: .initiate),
            as: "carol")
        let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
        #expect(record.title == "Billing v2 — \"quoted\" ✓")
        #expect(record.priority == Priority.critical.rawValue)
        #expect(record.scheduledEnd == start.addingTimeInterval(3600))
        #expect(record.targetDate == Date(timeIntervalSince1970: 1_900_022_400))
        #expect(record.version == 2)
        let detail = try await ReleaseQueries(schema: harness.schema, pool: harness.pool).release(key)
        #expect(detail.targetDate == record.targetDate && detail.priority == "critical" && detail.version == 2)

        let entries = try await AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring).reader.entries(chain: key, pool: harness.pool)
        #expect(entries.last?.action == "release.updated")
        #expect(entries.last?.details["fields"] == "title,impact,urgency,scheduledStart,scheduledEnd,targetDate,priority")

        let bad = await harness.refusal(UpdateRelease(releaseKey: key, title: " ", coordinator: "bad\u{0007}name", expectedPhase: .initiate), as: "carol")
        #expect(bad?.kind == .validation && bad?.fields?["title"] != nil && bad?.fields?["coordinator"] != nil)
        let backwards = await harness.refusal(UpdateRelease(releaseKey: key, scheduledEnd: start.addingTimeInterval(-60), expectedPhase: .initiate), as: "carol")
        #expect(backwards?.kind == .validation && backwards?.fields?["scheduledEnd"] != nil)

        // No change → no new version, audit entry or event.
        _ = try await harness.send(UpdateRelease(releaseKey: key, title: "Billing v2 — \"quoted\" ✓", expectedPhase: .initiate), as: "carol")
        #expect(try await AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring).reader.entries(chain: key, pool: harness.pool).count == entries.count)

        _ = try await harness.send(CancelRelease(releaseKey: key, reason: "superseded", expectedPhase: .initiate), as: "carol")
        #expect(await harness.refusal(UpdateRelease(releaseKey: key, title: "late", expectedPhase: .initiate), as: "carol")?.rule == "lifecycle.terminal_status")
        #expect(try await harness.outboxTypes(key).filter { $0 == "release.updated" }.count == 1)
        try await harness.close()
    }

    @Test("an approver at the current gate cannot become its coordinator")
    func coordinatorSegregation() async throws {
        let harness = try await PlanningHarness()
        for member in ["dave", "erin"] { _ = try await harness.send(AddApprover(group: "cab", member: member), as: "admin") }
        _ = try await harness.send(AddApprover(group: "release-approvers", member: "frank"), as: "admin")
        _ = try await harness.send(DefineReleaseTemplate(
            name: "two-approvers", type: .major, gates: [.initiate: ApprovalGateSpec(approverGroup: "cab", requiredApprovals: 2)]), as: "admin")
        let key = try await harness.send(
            CreateRelease(title: "Core switch", requester: "alice", coordinator: "carol", templateName: "two-approvers"), as: "alice"
        ).releaseKey
        _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
        _ = try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave")
        let error = await harness.refusal(UpdateRelease(releaseKey: key, coordinator: "dave", expectedPhase: .initiate), as: "carol")
        #expect(error?.kind == .forbidden && error?.rule == "approval.segregation_of_duties")
        try await harness.close()
    }

    @Test("only approved changes are added, only while the release is scoped; add and remove are audited and announced")
    func changes() async throws {
        let harness = try await PlanningHarness()
        _ = try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
        let key = try await harness.send(CreateRelease(title: "Payroll", requester: "alice", coordinator: "alice"), as: "alice").releaseKey
        let change = ChangeRequestInput(externalId: "CHG0001", title: "Patch payroll DB", status: "approved", risk: "high",
                                        affectedCIs: ["CI-DB-0001", "CI-APP-0001"])
        _ = try await harness.send(AddChange(releaseKey: key, change: change), as: "alice")
        #expect(await harness.refusal(AddChange(releaseKey: key, change: change), as: "alice")?.rule == "changes.unique")

        var pending = change
        pending.externalId = "CHG0002"
        pending.status = "submitted"
        let notApproved = await harness.refusal(AddChange(releaseKey: key, change: pending), as: "alice")
        #expect(notApproved?.kind == .validation && notApproved?.rule == "changes.only_approved")
        var nonsense = change
        nonsense.externalId = "CHG0003"
        nonsense.status = "approvedish"
        nonsense.risk = "enormous"
        let malformed = await harness.refusal(AddChange(releaseKey: key, change: nonsense), as: "alice")
        #expect(malformed?.kind == .validation && malformed?.fields?["status"] != nil && malformed?.fields?["risk"] != nil)
        #expect(await harness.refusal(AddChange(releaseKey: "REL-999999", change: change), as: "alice")?.kind == .notFound)

        #expect(try await ReleaseChanges(schema: harness.schema).list(key, pool: harness.pool).map(\.externalID) == ["CHG0001"])
        _ = try await harness.send(RemoveChange(releaseKey: key, externalId: "CHG0001", reason: "moved to next release"), as: "alice")
        #expect(await harness.refusal(RemoveChange(releaseKey: key, externalId: "CHG0001"), as: "alice")?.kind == .notFound)
        #expect(try await ReleaseChanges(schema: harness.schema).list(key, pool: harness.pool).isEmpty)

        let events = try await harness.outboxTypes(key)
        #expect(events == ["release.created", "release.change_added", "release.change_removed"])
        let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
        let actions = try await audit.reader.entries(chain: key, pool: harness.pool).map(\.action)
        #expect(actions == ["release.created", "release.change_added", "release.change_removed"])

        // Past plan the scope is frozen. `initiate` has no gate here once the group check is
        // satisfied: use a template without gates to walk the release forward.
        _ = try await harness.send(DefineReleaseTemplate(name: "no-gates", type: .standard), as: "admin")
        let quick = try await harness.send(CreateRelease(title: "Quick", requester: "bob", templateName: "no-gates"), as: "bob").releaseKey
        _ = try await harness.send(SubmitRelease(releaseKey: quick), as: "bob")
        _ = try await harness.send(AdvanceRelease(releaseKey: quick, expectedPhase: .initiate), as: "bob")
        _ = try await harness.send(AddChange(releaseKey: quick, change: change), as: "bob")
        _ = try await harness.send(AdvanceRelease(releaseKey: quick, expectedPhase: .plan), as: "bob")
        var late = change
        late.externalId = "CHG0009"
        #expect(await harness.refusal(AddChange(releaseKey: quick, change: late), as: "bob")?.rule == "changes.scope_frozen")
        #expect(await harness.refusal(RemoveChange(releaseKey: quick, externalId: "CHG0001"), as: "bob")?.rule == "changes.scope_frozen")
        try await harness.close()
    }
}
