import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Commands that name the phase or version their sender saw are refused when the release has
/// moved on: a double click or a resent form never advances two phases or approves the next
/// gate. Against the real servers, through request/reply.
@Suite("Planning refuses commands sent from a stale view", .serialized)
struct StaleViewCommandTests {
    @Test("advance twice from what was shown as initiate: one phase, then a conflict that says what changed; nothing else moves")
    func doubleClick() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Twice")

            let click = AdvanceRelease(releaseKey: key, expectedPhase: .initiate)
            #expect(try await harness.send(click, as: "carol").phase == .plan)
            let again = await harness.refusal(click, as: "carol")
            #expect(again?.kind == .conflict && again?.rule == "releases.stale_view", "\(String(describing: again))")
            #expect(again?.fields?["expectedPhase"] == "was initiate; the release is now in plan")

            // The same for every command that acts on what was shown.
            let stale: [CommandError?] = [
                await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave"),
                await harness.refusal(RejectRelease(releaseKey: key, reason: "late", expectedPhase: .initiate), as: "dave"),
                await harness.refusal(HoldRelease(releaseKey: key, expectedPhase: .initiate), as: "carol"),
                await harness.refusal(CancelRelease(releaseKey: key, expectedPhase: .initiate), as: "carol"),
                await harness.refusal(CloseRelease(releaseKey: key, expectedPhase: .initiate), as: "carol"),
                await harness.refusal(UpdateRelease(releaseKey: key, title: "Renamed", expectedPhase: .initiate), as: "carol"),
            ]
            for refusal in stale {
                #expect(refusal?.rule == "releases.stale_view", "\(String(describing: refusal))")
            }
            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            #expect(record.phase == "plan" && record.status == "in_progress" && record.title == "Twice")

            // A version names one exact state: an update from an older one is refused, from the current one accepted.
            let stalled = await harness.refusal(UpdateRelease(releaseKey: key, title: "Old", expectedPhase: .plan, expectedVersion: record.version - 1), as: "carol")
            #expect(stalled?.rule == "releases.stale_view" && stalled?.fields?["expectedVersion"] != nil)
            _ = try await harness.send(UpdateRelease(releaseKey: key, title: "Current", expectedPhase: .plan, expectedVersion: record.version), as: "carol")
            #expect(try await harness.send(HoldRelease(releaseKey: key, reason: "wait", expectedPhase: .plan), as: "carol").status == .onHold)
        }
    }
}
