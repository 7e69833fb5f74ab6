import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// Editing a release: type and job plan only while in `initiate`; the priority follows
/// impact × urgency only when one of them changes, and a manual priority needs a reason that
/// the audit keeps. Against the real servers, through request/reply.
@Suite("Planning: type, job plan and priority edits", .serialized)
struct ReleaseFieldEditTests {
    func record(_ harness: PlanningHarness, _ key: String) async throws -> ReleaseRecord {
        try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
    }

    @Test("type and job plan change in initiate and are refused as frozen after it")
    func typeAndJobPlan() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Editable")
            _ = try await harness.send(UpdateRelease(releaseKey: key, type: .major, jobPlanName: "db-rollout", expectedPhase: .initiate), as: "carol")
            var stored = try await record(harness, key)
            #expect(stored.type == "major" && stored.jobPlanName == "db-rollout")
            #expect(try ContractCoding.decode(ReleaseState.self, from: stored.state).type == .major)

            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            let frozen = await harness.refusal(UpdateRelease(releaseKey: key, type: .minor, jobPlanName: "other", expectedPhase: .plan), as: "carol")
            #expect(frozen?.kind == .conflict && frozen?.rule == "releases.frozen_field")
            #expect(Set(frozen?.fields?.keys.map { $0 } ?? []) == ["type", "jobPlanName"])
            stored = try await record(harness, key)
            #expect(stored.type == "major" && stored.jobPlanName == "db-rollout")
        }
    }

    @Test("a manual priority needs a reason and is audited; other edits keep it; an impact change computes it again")
    func priorityOverride() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.send(
                CreateRelease(title: "Urgent fix", impact: .medium, urgency: .medium, requester: "alice", coordinator: "carol"), as: "alice"
            ).releaseKey
            let computed = try await record(harness, key).priority
            let noReason = await harness.refusal(UpdateRelease(releaseKey: key, priority: .critical, expectedPhase: .initiate), as: "carol")
            #expect(noReason?.kind == .validation && noReason?.fields?.keys.contains("priorityReason") == true)

            _ = try await harness.send(UpdateRelease(releaseKey: key, priority: .critical, priorityReason: "Regulator deadline", expectedPhase: .initiate), as: "carol")
            #expect(try await record(harness, key).priority == "critical")
            let details = try await harness.pool.query(
                "SELECT details->>'priorityReason' FROM \(identifier: harness.schema).audit_log WHERE release_key = \(key) ORDER BY seq DESC LIMIT 1"
            ).single().decode(at: 0, as: String?.self)
            #expect(details == "Regulator deadline")

            _ = try await harness.send(UpdateRelease(releaseKey: key, title: "Urgent fix, renamed", expectedPhase: .initiate), as: "carol")
            #expect(try await record(harness, key).priority == "critical", "a title edit keeps the manual priority")

            _ = try await harness.send(UpdateRelease(releaseKey: key, impact: .low, expectedPhase: .initiate), as: "carol")
            let expected = try PriorityMatrix.standard.priority(impact: .low, urgency: .medium).rawValue
            #expect(try await record(harness, key).priority == expected)
            #expect(expected != "critical" && computed != "critical")
        }
    }
}
