import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-testing's acceptance decides the release's acceptance task, over the real
/// servers: `dml.entry_added` finishes the approval task after the automated test step as
/// the person who accepted; `image.rejected` fails it with the reason; a decision with no
/// such task waiting changes nothing.
@Suite("Work plans: the DML acceptance task follows shipboard-testing", .serialized)
struct DMLAcceptanceTaskTests {
    let orchestration = WorkPlanOrchestrationTests()

    /// A release in `test` whose automated test task `verify` has passed: `accept` (approval,
    /// after verify) is ready, `release-notes` (approval, not after a test) is ready too.
    func testedRelease(_ harness: PlanningHarness, plan: String) async throws -> String {
        _ = try await harness.send(SaveJobPlan(name: plan, tasks: [
            WorkPlanOrchestrationTests.task("compile", .build, kind: .automated, step: .build),
            WorkPlanOrchestrationTests.task("release-notes", .test, kind: .approval),
            WorkPlanOrchestrationTests.task("verify", .test, after: ["compile"], kind: .automated, step: .test),
            WorkPlanOrchestrationTests.task("accept", .test, after: ["verify"], kind: .approval),
            WorkPlanOrchestrationTests.task("plan-rollout", .rolloutPlan, after: ["accept"]),
        ]), as: "rita")
        let key = try await harness.authorizedRelease(title: "Accepted \(plan)")
        _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: plan), as: "carol")
        _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
        _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "carol")
        let built = try await harness.deliver(ImageBuildFinished(releaseKey: key, taskKey: "compile", succeeded: true),
                                              as: "shipboard-build", correlationId: key)
        #expect(try await orchestration.eventually { try await harness.handled(built) })
        _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .build), as: "carol")
        let tested = try await harness.deliver(TestsFinished(releaseKey: key, taskKey: "verify", succeeded: true),
                                               as: "shipboard-testing", correlationId: key)
        #expect(try await orchestration.eventually { try await harness.handled(tested) })
        #expect(try await orchestration.state(harness, key, "accept").hasPrefix("ready:"))
        return key
    }

    static func entry(_ key: String, acceptedBy: String) -> DMLEntry {
        DMLEntry(name: "payroll", version: "1.0.0", sha256: String(repeating: "a", count: 64), size: 10, releaseKey: key, buildId: 1,
                 testRunId: 1, acceptedBy: acceptedBy, acceptedAt: "2026-11-30T10:00:00Z", overrideReason: nil, state: "available")
    }

    @Test("dml.entry_added finishes the task after the test step as the accepting person, audited; a repeat changes nothing")
    func acceptedFinishesTask() async throws {
        try await PlanningHarness.run { harness in
            let key = try await testedRelease(harness, plan: "accept-flow")
            // The image was in the DML already (another release's entry): this release's acceptance is what counts.
            let added = try await harness.deliver(
                DMLEntryAdded(entry: Self.entry("REL-000001", acceptedBy: "olga"), releaseKey: key, acceptedBy: "Tess", existing: true),
                as: "tess", correlationId: key)
            #expect(try await orchestration.eventually { try await harness.handled(added) })
            #expect(try await orchestration.state(harness, key, "accept") == "done:-:-")
            #expect(try await orchestration.state(harness, key, "release-notes").hasPrefix("ready:"), "not after a test step: untouched")
            #expect(try await orchestration.state(harness, key, "plan-rollout") == "ready:-:-")
            let audited = try await harness.pool.query(
                """
                SELECT actor || ':' || (details->>'from') || '>' || (details->>'to') FROM \(identifier: harness.schema).audit_log
                WHERE release_key = \(key) AND action = \(TaskChanged.messageType) AND details->>'task' = 'accept' ORDER BY seq
                """).map { try $0.decode(at: 0, as: String.self) }
            #expect(audited == ["tess:ready>in_progress", "tess:in_progress>done"])

            let again = try await harness.deliver(DMLEntryAdded(entry: Self.entry(key, acceptedBy: "tess")), as: "tess", correlationId: key)
            let rejectedLate = try await harness.deliver(
                ImageRejected(releaseKey: key, runId: 1, imageSha256: String(repeating: "a", count: 64), rejectedBy: "tom", reason: "late"),
                as: "tom", correlationId: key)
            let stray = try await harness.deliver(DMLEntryAdded(entry: Self.entry("REL-999999", acceptedBy: "tess")), as: "tess", correlationId: "REL-999999")
            #expect(try await orchestration.eventually {
                let first = try await harness.handled(again), second = try await harness.handled(rejectedLate)
                let third = try await harness.handled(stray)
                return first && second && third
            })
            #expect(try await orchestration.state(harness, key, "accept") == "done:-:-")
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    @Test("image.rejected fails the task with the tester's reason")
    func rejectedFailsTask() async throws {
        try await PlanningHarness.run { harness in
            let key = try await testedRelease(harness, plan: "reject-flow")
            let rejected = try await harness.deliver(
                ImageRejected(releaseKey: key, runId: 4, imageSha256: String(repeating: "b", count: 64), rejectedBy: "tom",
                              reason: "backout leaves files behind"),
                as: "tom", correlationId: key)
            #expect(try await orchestration.eventually { try await harness.handled(rejected) })
            #expect(try await orchestration.state(harness, key, "accept") == "failed:-:backout leaves files behind")
            #expect(try await orchestration.state(harness, key, "plan-rollout") == "waiting:-:-")
            let types = try await harness.outboxTypes(key)
            #expect(types.filter { $0 == TaskChanged.messageType }.count == 6, "\(types)")

            // A reason no task can hold (a NUL, blank) still fails the task, with a usable one.
            let other = try await testedRelease(harness, plan: "reject-blank")
            let blank = try await harness.deliver(
                ImageRejected(releaseKey: other, runId: 5, imageSha256: String(repeating: "b", count: 64), rejectedBy: "tom", reason: " \u{0} "),
                as: "tom", correlationId: other)
            #expect(try await orchestration.eventually { try await harness.handled(blank) })
            #expect(try await orchestration.state(harness, other, "accept") == "failed:-:image rejected by tom")
        }
    }
}
