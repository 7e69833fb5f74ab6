import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Group tasks get a member as assignee when they become ready, by the group's policy, over
/// the real servers.
@Suite("Work plans: group assignment", .serialized)
struct TaskAssignmentCommandTests {
    static func task(_ key: String, owner: String, after: [String] = []) -> JobPlanTaskInput {
        JobPlanTaskInput(key: key, title: "Do \(key)", group: "work", phase: .initiate, owner: owner, estimateMinutes: 30, predecessors: after)
    }

    static func assignees(_ harness: PlanningHarness, _ release: String) async throws -> [String] {
        try await harness.pool.query(
            "SELECT key, assignee FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(release) ORDER BY position"
        ).map { "\(try $0.decode(at: 0, as: String.self))=\(try $0.decode(at: 1, as: String?.self) ?? "-")" }
    }

    static func auditedAssignments(_ harness: PlanningHarness, _ release: String) async throws -> [String] {
        try await harness.pool.query(
            """
            SELECT details->>'assigned' FROM \(identifier: harness.schema).audit_log
            WHERE release_key = \(release) AND details ? 'assigned' ORDER BY seq
            """).map { try $0.decode(at: 0, as: String.self) }
    }

    static func members(_ harness: PlanningHarness, _ group: String, _ names: [String]) async throws {
        for name in names { _ = try await harness.send(AddApprover(group: group, member: name), as: "admin") }
    }

    @Test("round robin: tasks ready at apply go in turn, the turn carries across releases and to a task an action makes ready")
    func roundRobin() async throws {
        try await PlanningHarness.run { harness in
            try await Self.members(harness, "ops", ["Cat", "ann", "ben"])
            _ = try await harness.send(SaveJobPlan(name: "rr", tasks: [
                Self.task("a", owner: "group:ops"), Self.task("b", owner: "group:ops"), Self.task("c", owner: "group:ops"),
                Self.task("gate", owner: "person:carol"), Self.task("d", owner: "group:ops", after: ["gate"]),
            ]), as: "rita")
            let first = try await harness.authorizedRelease(title: "Round robin 1")
            _ = try await harness.send(ApplyJobPlan(releaseKey: first, jobPlanName: "rr"), as: "carol")
            #expect(try await Self.assignees(harness, first) == ["a=ann", "b=ben", "c=cat", "gate=carol", "d=-"])
            // Another release of the same group goes on from cat: ann, then ben.
            _ = try await harness.send(SaveJobPlan(name: "rr2", tasks: [Self.task("x", owner: "group:ops"), Self.task("y", owner: "group:ops")]),
                                       as: "rita")
            let second = try await harness.authorizedRelease(title: "Round robin 2")
            _ = try await harness.send(ApplyJobPlan(releaseKey: second, jobPlanName: "rr2"), as: "carol")
            #expect(try await Self.assignees(harness, second) == ["x=ann", "y=ben"])
            _ = try await harness.send(ActOnTask(releaseKey: first, taskKey: "gate", action: "start"), as: "carol")
            let finished = try await harness.send(ActOnTask(releaseKey: first, taskKey: "gate", action: "finish"), as: "carol")
            #expect(finished.nowReady == ["d"])
            #expect(try await Self.assignees(harness, first).last == "d=cat")
            #expect(try await Self.auditedAssignments(harness, first) == ["a=ann,b=ben,c=cat", "d=cat"])
            // The assignee works the task; the trail still verifies.
            #expect(try await harness.send(ActOnTask(releaseKey: first, taskKey: "d", action: "start"), as: "cat").state == .inProgress)
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: first), as: "auditor").intact)
        }
    }

    @Test("least loaded: the member with the fewest open tasks across releases; ties in turn; the policy is validated")
    func leastLoaded() async throws {
        try await PlanningHarness.run { harness in
            try await Self.members(harness, "dbas", ["ann", "ben", "cat"])
            #expect(await harness.refusal(SetGroupAssignment(group: "dbas", policy: "random"), as: "admin")?.rule == "groups.assignment_policy")
            let set = try await harness.send(SetGroupAssignment(group: "dbas", policy: "least_loaded"), as: "admin")
            #expect(set == GroupAssignmentSummary(group: "dbas", policy: "least_loaded"))
            // Open work elsewhere: ann two tasks, cat one (person-owned, ready at once).
            _ = try await harness.send(SaveJobPlan(name: "load", tasks: [
                Self.task("p1", owner: "person:ann"), Self.task("p2", owner: "person:ann"), Self.task("p3", owner: "person:cat"),
            ]), as: "rita")
            let busy = try await harness.authorizedRelease(title: "Busy")
            _ = try await harness.send(ApplyJobPlan(releaseKey: busy, jobPlanName: "load"), as: "carol")
            _ = try await harness.send(SaveJobPlan(name: "ll", tasks: [Self.task("x", owner: "group:dbas"), Self.task("y", owner: "group:dbas")]),
                                       as: "rita")
            let key = try await harness.authorizedRelease(title: "Least loaded")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "ll"), as: "carol")
            // ben has none; then ben and cat have one each, cat comes after ben in turn.
            #expect(try await Self.assignees(harness, key) == ["x=ben", "y=cat"])
            #expect(try await Self.auditedAssignments(harness, key) == ["x=ben,y=cat"])
        }
    }

    @Test("a group without members assigns nothing: the task stays claimable by whoever joins and starts it")
    func emptyGroup() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(SaveJobPlan(name: "lonely", tasks: [Self.task("x", owner: "group:nobody-yet")]), as: "rita")
            let key = try await harness.authorizedRelease(title: "Empty group")
            let applied = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "lonely"), as: "carol")
            #expect(applied.ready == ["x"])
            #expect(try await Self.assignees(harness, key) == ["x=-"])
            #expect(try await Self.auditedAssignments(harness, key).isEmpty)
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "x", action: "start"), as: "zed")?.rule == "tasks.not_assignee")
            try await Self.members(harness, "nobody-yet", ["zed"])
            #expect(try await harness.send(ActOnTask(releaseKey: key, taskKey: "x", action: "start"), as: "zed").state == .inProgress)
            #expect(try await Self.assignees(harness, key) == ["x=zed"])
        }
    }

    @Test("a task an edit makes ready gets its assignee by the group's policy too: one added ready, one re-linked free; audited")
    func editsAssign() async throws {
        try await PlanningHarness.run { harness in
            try await Self.members(harness, "edits", ["ann", "ben"])
            _ = try await harness.send(SaveJobPlan(name: "ed", tasks: [
                Self.task("gate", owner: "person:carol"), Self.task("later", owner: "group:edits", after: ["gate"]),
            ]), as: "rita")
            let release = try await harness.authorizedRelease(title: "Edits assign")
            _ = try await harness.send(ApplyJobPlan(releaseKey: release, jobPlanName: "ed"), as: "carol")
            #expect(try await Self.assignees(harness, release) == ["gate=carol", "later=-"])
            // Added without predecessors: ready at once, so assigned at once.
            _ = try await harness.send(AddWorkPlanTask(releaseKey: release, task: Self.task("extra", owner: "group:edits")), as: "carol")
            // Re-linked so that nothing holds it: ready now, so assigned now, the next in turn.
            _ = try await harness.send(EditWorkPlanTask(releaseKey: release, taskKey: "later", predecessors: []), as: "carol")
            #expect(try await Self.assignees(harness, release) == ["gate=carol", "later=ben", "extra=ann"])
            #expect(try await Self.auditedAssignments(harness, release) == ["extra=ann", "later=ben"])
            // An edit that readies nothing assigns nothing.
            _ = try await harness.send(EditWorkPlanTask(releaseKey: release, taskKey: "gate", estimateMinutes: 45), as: "carol")
            #expect(try await Self.auditedAssignments(harness, release).count == 2)
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: release), as: "auditor").intact)
        }
    }
}
