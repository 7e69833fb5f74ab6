import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Approvals belong to what was approved: once the current gate holds approvals, changes
/// cannot be added or removed, nor impact, urgency or risk raised or the schedule moved, until
/// the release moves on. Against the real servers, through request/reply.
@Suite("Planning keeps an approved scope as approved", .serialized)
struct ApprovedScopeTests {
    static let change = ChangeRequestInput(externalId: "CHG0001", title: "Patch", status: "approved", risk: "low", affectedCIs: ["CI-APP-0001"])

    @Test("after the initiate gate's approval: scope and raises refused, lowering allowed; in plan the scope opens again")
    func approvedScope() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Scoped")
            let added = await harness.refusal(AddChange(releaseKey: key, change: Self.change), as: "carol")
            #expect(added?.kind == .conflict && added?.rule == "approval.approved_scope" && added?.fields?["changes"] != nil,
                    "\(String(describing: added))")
            let raised = await harness.refusal(UpdateRelease(releaseKey: key, impact: .high, risk: .critical, expectedPhase: .initiate), as: "carol")
            #expect(raised?.rule == "approval.approved_scope" && Set(raised?.fields?.keys.map { $0 } ?? []) == ["impact", "risk"])
            let moved = await harness.refusal(UpdateRelease(releaseKey: key, scheduledStart: Date(timeIntervalSince1970: 1_900_000_000), expectedPhase: .initiate), as: "carol")
            #expect(moved?.rule == "approval.approved_scope")
            // Lowering and descriptive edits are fine.
            _ = try await harness.send(UpdateRelease(releaseKey: key, title: "Scoped, renamed", impact: .low, expectedPhase: .initiate), as: "carol")
            #expect(try await harness.outboxTypes(key).filter { $0 == ReleaseChangeAdded.messageType }.isEmpty)

            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            _ = try await harness.send(AddChange(releaseKey: key, change: Self.change), as: "carol")
            _ = try await harness.send(UpdateRelease(releaseKey: key, risk: .high, expectedPhase: .plan), as: "carol")
            #expect(try await harness.outboxTypes(key).contains(ReleaseChangeAdded.messageType))
        }
    }
}
