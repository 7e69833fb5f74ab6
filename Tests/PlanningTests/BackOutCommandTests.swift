import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// `backed_out` is reachable: a release being deployed can be backed out, with a reason, and
/// that is terminal. Against the real servers, through request/reply.
@Suite("Planning backs out a release being deployed", .serialized)
struct BackOutCommandTests {
    @Test("back out: only in deploy, a reason required; terminal, audited and announced")
    func backOut() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Wave")
            #expect(await harness.refusal(BackOutRelease(releaseKey: key, reason: "too early", expectedPhase: .initiate), as: "carol")?.rule
                    == "lifecycle.backout_requires_deploy")
            var phase = ReleasePhase.initiate
            while phase != .deploy {
                phase = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: phase), as: "carol").phase
            }
            #expect(await harness.refusal(BackOutRelease(releaseKey: key, reason: "  ", expectedPhase: .deploy), as: "carol")?.rule
                    == "lifecycle.backout_reason_required")
            let summary = try await harness.send(
                BackOutRelease(releaseKey: key, reason: "wave 2 failed health checks", expectedPhase: .deploy), as: "carol")
            #expect(summary.phase == .deploy && summary.status == .backedOut)
            #expect(await harness.refusal(ResumeRelease(releaseKey: key, expectedPhase: .deploy), as: "carol")?.kind == .conflict, "terminal")
            #expect(try await harness.outboxTypes(key).last == ReleaseStatusChanged.messageType)
            let actions = try await harness.pool.query(
                "SELECT action FROM \(identifier: harness.schema).audit_log WHERE release_key = \(key) ORDER BY seq"
            ).map { try $0.decode(at: 0, as: String.self) }
            #expect(actions.last == ReleaseStatusChanged.messageType)
        }
    }
}
