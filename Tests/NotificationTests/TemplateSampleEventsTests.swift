import Contracts
import Foundation
import NotificationCore
import Testing

/// Events as the services publish them: each payload is a real contract value encoded the way
/// it travels, so a template or a rule that names a field the contract does not have shows up.
enum SampleEvents {
    static let releaseKey = "REL-000042"
    static let at = Date(timeIntervalSince1970: 1_750_000_000)

    static let release = ReleaseFacts(
        key: releaseKey, title: "Payroll 7.2", type: "minor", priority: "high", phase: "deploy", status: "in_progress",
        requester: "rita", coordinator: "colin", scheduledStart: at, sites: ["FRA1", "AMS1"], pendingApproverGroup: nil)

    static func payload(_ contract: some Encodable) -> JSONValue {
        let data = try! ContractCoding.encode(contract)
        return try! JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func event(_ type: String, actor: String = "system", _ contract: some Encodable) -> EventFacts {
        EventFacts(id: UUID(), type: type, releaseKey: releaseKey, actor: actor, occurredAt: at, payload: payload(contract))
    }

    static let submitted = event("release.submitted", actor: "rita", ReleaseSubmitted(releaseKey: releaseKey, actor: "rita", approverGroup: "cab"))
    static let phaseChanged = event(
        "release.phase_changed", actor: "colin",
        ReleasePhaseChanged(releaseKey: releaseKey, actor: "colin", from: .test, to: .rolloutPlan, warnings: ["docs-reviewed"]))
    static let statusChanged = event(
        "release.status_changed", actor: "colin",
        ReleaseStatusChanged(releaseKey: releaseKey, actor: "colin", phase: .deploy, from: .inProgress, to: .onHold, reason: "waiting for the vendor"))
    static let taskReady = event(
        "release.task_changed", actor: "tess",
        TaskChanged(releaseKey: releaseKey, actor: "tess", taskKey: "build-image", from: .inProgress, to: .done, reason: nil,
                    nowReady: ["run-tests", "brief-sites"], assigned: ["run-tests": "tom"]))
    static let approved = event(
        "release.approved", actor: "alice",
        ReleaseApproved(releaseKey: releaseKey, actor: "alice", phase: .initiate, approvals: 2, requiredApprovals: 2, gateOpen: true, comment: "ok"))
    static let rejected = event(
        "release.rejected", actor: "alice", ReleaseRejected(releaseKey: releaseKey, actor: "alice", phase: .initiate, reason: "no backout plan"))
    static let rolloutStarted = event(
        "rollout.started", RolloutStarted(releaseKey: releaseKey, rolloutId: "r-1", counts: ["pending": 20]))
    static let rolloutCompleted = event(
        "rollout.completed", RolloutCompleted(releaseKey: releaseKey, rolloutId: "r-1", counts: ["succeeded": 20]))
    static let rolloutHalted = event(
        "rollout.halted", RolloutHalted(releaseKey: releaseKey, rolloutId: "r-1", reason: "3 targets failed", counts: ["failed": 3, "succeeded": 5]))
    static let rolloutBackedOut = event(
        "rollout.backed_out", RolloutBackedOut(releaseKey: releaseKey, rolloutId: "r-1", reason: "threshold", counts: ["backed_out": 5]))
    static let testCompleted = event(
        "test.completed",
        TestRunCompleted(releaseKey: releaseKey, taskKey: "run-tests", runId: 7, imageSha256: String(repeating: "a", count: 64),
                         outcome: .failed, passed: 10, failed: 2, failedTests: ["smoke", "login"]))
    static let dmlAdded = event(
        "dml.entry_added",
        DMLEntryAdded(
            entry: DMLEntry(name: "payroll", version: "7.2.0", sha256: String(repeating: "b", count: 64), size: 1024, releaseKey: releaseKey,
                            buildId: 3, testRunId: 7, acceptedBy: "quinn", acceptedAt: "2025-06-15T10:00:00Z", overrideReason: nil, state: "available"),
            releaseKey: releaseKey, acceptedBy: "quinn"))
    static let imageRejected = event(
        "image.rejected",
        ImageRejected(releaseKey: releaseKey, runId: 7, imageSha256: String(repeating: "a", count: 64), rejectedBy: "quinn", reason: "fails smoke"))
    static let imageBuilt = event(
        "image.built", ImageBuilt(releaseKey: releaseKey, taskKey: "build-image", sha256: String(repeating: "c", count: 64), size: 2048, fileCount: 4))
    static let imageBuildFailed = event(
        "image.build_failed", ImageBuildFailed(releaseKey: releaseKey, taskKey: "build-image", reason: "install.sh is missing"))
    static let targetFailed = event(
        "rollout.target_failed",
        RolloutTargetFailed(releaseKey: releaseKey, rolloutId: "r-1", taskKey: "t-1", target: "CI-HOST-1", site: "FRA1", wave: 1, attempt: 1, detail: "timeout"))

    /// One sample of every type with a built-in message, and one that falls back to the generic one.
    static let all: [EventFacts] = [
        submitted, phaseChanged, statusChanged, taskReady, approved, rejected, rolloutStarted, rolloutCompleted, rolloutHalted,
        rolloutBackedOut, testCompleted, dmlAdded, imageRejected, imageBuilt, imageBuildFailed, targetFailed,
    ]

    static let person = Person(name: "rita", displayName: "Rita Requester", contacts: [.email: "rita@example.com"])
    static let links = NotificationLinks(baseURL: "https://shipboard.example.com/")
}

@Suite("Templates: sample events")
struct TemplateSampleEventsTests {
    @Test func everyBuiltInTypeHasASample() {
        let sampled = Set(SampleEvents.all.map(\.type))
        let missing = DefaultTemplates.eventTypes.filter { !sampled.contains($0) && $0 != "briefing" && $0 != "digest" }
        #expect(missing.isEmpty, "no sample event for \(missing)")
    }
}
