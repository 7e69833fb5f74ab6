import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Job plans and work plans through the planning handlers over the real servers: save,
/// apply, work tasks in order by the right people, refusals, resends, the audit trail.
@Suite("Work plans: commands", .serialized)
struct WorkPlanCommandTests {
    static func task(_ key: String, after: [String] = [], owner: String = "group:builders", phase: ReleasePhase = .initiate) -> JobPlanTaskInput {
        JobPlanTaskInput(key: key, title: "Do \(key)", group: "work", phase: phase, owner: owner, estimateMinutes: 30, predecessors: after)
    }

    @Test("the standard plan is applied once; tasks start only in order and only for their owners; the trail verifies")
    func applyAndWork() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Work plan")
            let applied = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            #expect(applied.jobPlanName == DefaultJobPlan.name && applied.jobPlanVersion == 1)
            #expect(applied.taskCount == DefaultJobPlan.plan.tasks.count && applied.ready == ["structure"])
            #expect(await harness.refusal(ApplyJobPlan(releaseKey: key), as: "carol")?.rule == "work_plans.applied")

            // Not yet: ci-relationships waits for structure.
            let early = await harness.refusal(ActOnTask(releaseKey: key, taskKey: "ci-relationships", action: "start"), as: "carol")
            #expect(early?.rule == "tasks.not_ready" && early?.message.contains("structure") == true)
            // Not theirs: mallory is neither coordinator, release manager nor in release-managers.
            let notTheirs = await harness.refusal(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), as: "mallory")
            #expect(notTheirs?.kind == .forbidden && notTheirs?.rule == "tasks.not_assignee")
            // The coordinator works it; finishing it makes the next one ready.
            #expect(try await harness.send(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), as: "carol").state == .inProgress)
            let finished = try await harness.send(ActOnTask(releaseKey: key, taskKey: "structure", action: "finish"), as: "carol")
            #expect(finished.state == .done && finished.nowReady == ["ci-relationships", "communication-plan", "education-plan"])
            // A member of the owning group may work its task; a release manager (role from the gateway) too.
            _ = try await harness.send(AddApprover(group: "release-managers", member: "bob"), as: "admin")
            #expect(try await harness.send(ActOnTask(releaseKey: key, taskKey: "ci-relationships", action: "start"), as: "bob").state == .inProgress)
            #expect(try await harness.send(
                ActOnTask(releaseKey: key, taskKey: "communication-plan", action: "skip", reason: "no users affected", asReleaseManager: true),
                as: "rita").state == .skipped)
            // Skipping needs a reason; an unknown action or task is refused clearly.
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "education-plan", action: "skip"), as: "carol")?.rule == "tasks.reason")
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "education-plan", action: "explode"), as: "carol")?.rule == "tasks.action")
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "nope", action: "start"), as: "carol")?.kind == .notFound)
            // The automated build is the build service's: by hand it can only be skipped.
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "build", action: "start"), as: "carol")?.rule == "tasks.automated")

            let states = try await harness.pool.query(
                "SELECT key, state, assignee FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) AND state <> 'waiting' ORDER BY position"
            ).map { "\(try $0.decode(at: 0, as: String.self))=\(try $0.decode(at: 1, as: String.self)):\(try $0.decode(at: 2, as: String?.self) ?? "-")" }
            #expect(states == ["structure=done:carol", "ci-relationships=in_progress:bob", "communication-plan=skipped:-", "education-plan=ready:-"])
            let types = try await harness.outboxTypes(key)
            #expect(types.filter { $0 == TaskChanged.messageType }.count == 4 && types.contains(WorkPlanAppliedEvent.messageType))
            let verdict = try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor")
            #expect(verdict.intact)
        }
    }

    @Test("a task action resent after a timeout (same envelope) is answered once and applied once; a second click is refused")
    func resendAndDoubleClick() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Resend")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            let envelope = Envelope(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), correlationId: key, actor: "carol")
            let first = try await harness.requests.send(envelope, timeout: .seconds(10))
            let again = try await harness.requests.send(envelope, timeout: .seconds(10))
            #expect(first == again && first.state == .inProgress)
            let click = await harness.refusal(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), as: "carol")
            #expect(click?.rule == "tasks.already_started")
            #expect(try await harness.outboxTypes(key).filter { $0 == TaskChanged.messageType }.count == 1)
        }
    }

    @Test("job plans: a cycle or a hostile title is refused naming it; versions count up; a release keeps the version it applied")
    func savingJobPlans() async throws {
        try await PlanningHarness.run { harness in
            let cycle = await harness.refusal(SaveJobPlan(name: "loop", tasks: [
                Self.task("a", after: ["c"]), Self.task("b", after: ["a"]), Self.task("c", after: ["b"]),
            ]), as: "rita")
            #expect(cycle?.rule == "tasks.cycle" && cycle?.fields?["tasks"] == "a → c → b → a")
            for title in ["nul\u{0}inside", String(repeating: "é", count: 300), "   "] {
                var hostile = Self.task("a")
                hostile.title = title
                #expect(await harness.refusal(SaveJobPlan(name: "hostile", tasks: [hostile]), as: "rita")?.rule == "tasks.title")
            }
            let badOwner = await harness.refusal(SaveJobPlan(name: "owner", tasks: [Self.task("a", owner: "bob")]), as: "rita")
            #expect(badOwner?.rule == "tasks.owner" && badOwner?.fields?["tasks/0/owner"] != nil)

            let first = try await harness.send(SaveJobPlan(name: "small", tasks: [Self.task("a"), Self.task("b", after: ["a"])]), as: "rita")
            #expect(first == JobPlanSaved(name: "small", version: 1, taskCount: 2))
            let key = try await harness.authorizedRelease(title: "Small plan")
            let applied = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "small"), as: "carol")
            #expect(applied.jobPlanVersion == 1 && applied.ready == ["a"])
            let second = try await harness.send(SaveJobPlan(name: "small", tasks: [Self.task("z")]), as: "rita")
            #expect(second.version == 2)
            let tasks = try await harness.pool.query(
                "SELECT key FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) ORDER BY position"
            ).map { try $0.decode(at: 0, as: String.self) }
            #expect(tasks == ["a", "b"], "version 2 does not touch the work plan copied from version 1")
            #expect(await harness.refusal(ApplyJobPlan(releaseKey: key, jobPlanName: "nothing"), as: "carol")?.rule == "work_plans.applied")
            let other = try await harness.authorizedRelease(title: "Unknown plan")
            #expect(await harness.refusal(ApplyJobPlan(releaseKey: other, jobPlanName: "nothing"), as: "carol")?.rule == "job_plans.exists")
        }
    }

    @Test("'every task of the phase done or skipped' holds a phase until its tasks are finished; without a work plan it fails too")
    func phaseTasksAsExitCriterion() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(ConfigureExitCriterion(phase: .initiate, criterion: "phase_tasks_finished", severity: "error"), as: "admin")
            let key = try await harness.authorizedRelease(title: "Held by tasks")
            let noPlan = await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            #expect(noPlan?.rule == "lifecycle.exit_criteria_failed" && noPlan?.fields?["phase_tasks_finished"]?.contains("no work plan") == true,
                    "\(String(describing: noPlan))")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), as: "carol")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "structure", action: "finish"), as: "carol")
            let open = await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            #expect(open?.fields?["phase_tasks_finished"]?.contains("ci-relationships") == true, "\(String(describing: open))")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "ci-relationships", action: "skip", reason: "one CI only"), as: "carol")
            #expect(try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol").phase == .plan)
        }
    }

    @Test("edits: a task added, moved, re-estimated and reassigned; a cycle named and refused; worked tasks kept; the trail verifies")
    func editingTheWorkPlan() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Edited plan")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "structure", action: "start"), as: "carol")
            let added = try await harness.send(AddWorkPlanTask(
                releaseKey: key, task: Self.task("security-review", after: ["structure"], owner: "person:sam"), position: 1), as: "carol")
            #expect(added.taskCount == DefaultJobPlan.plan.tasks.count + 1)
            let cycle = await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "ci-relationships", predecessors: ["security-review"]), as: "carol")
            #expect(cycle == nil, "no cycle: ci-relationships may wait for the review too")
            let loop = await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "security-review", predecessors: ["ci-relationships"]), as: "carol")
            #expect(loop?.rule == "tasks.cycle" && loop?.fields?["predecessors"] == "ci-relationships → security-review → ci-relationships",
                    "\(String(describing: loop))")
            _ = try await harness.send(EditWorkPlanTask(
                releaseKey: key, taskKey: "security-review", position: 0, owner: "group:security", estimateMinutes: 45), as: "carol")
            #expect(await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "structure", remove: true), as: "carol")?.rule == "tasks.has_work")
            #expect(await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "structure"), as: "carol")?.rule == "work_plans.edit")
            #expect(await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "backout", owner: "nobody"), as: "carol")?.rule == "tasks.owner")
            let removed = try await harness.send(EditWorkPlanTask(releaseKey: key, taskKey: "education-plan", remove: true), as: "carol")
            #expect(removed.taskCount == DefaultJobPlan.plan.tasks.count)

            let rows = try await harness.pool.query(
                """
                SELECT key, position, state, owner, estimate_minutes, started_at IS NOT NULL
                FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) ORDER BY position LIMIT 3
                """
            ).map { row in
                "\(try row.decode(at: 0, as: String.self))@\(try row.decode(at: 1, as: Int.self)):\(try row.decode(at: 2, as: String.self)):"
                    + "\(try row.decode(at: 3, as: String.self)):\(try row.decode(at: 4, as: Int.self)):\(try row.decode(at: 5, as: Bool.self))"
            }
            #expect(rows == ["security-review@0:waiting:group:security:45:false", "structure@1:in_progress:group:release-managers:120:true",
                             "ci-relationships@2:waiting:group:release-managers:90:false"], "\(rows)")
            let waitsOnRemoved = try await harness.pool.query(
                "SELECT count(*) FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) AND 'education-plan' = ANY(predecessors)"
            ).single().decode(at: 0, as: Int.self)
            #expect(waitsOnRemoved == 0)
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    @Test("attacks: a NUL or 600 characters as a reason, a NUL in a name, an edit resent after a timeout, a build answer aimed at a manual task")
    func attacks() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Attacked plan")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            for reason in ["not\u{0}needed", String(repeating: "x", count: 600), " \n "] {
                let refused = await harness.refusal(ActOnTask(releaseKey: key, taskKey: "education-plan", action: "skip", reason: reason), as: "carol")
                #expect(refused?.rule == "tasks.reason", "\(reason.prefix(20).debugDescription): \(String(describing: refused))")
            }
            let nulOwner = await harness.refusal(EditWorkPlanTask(releaseKey: key, taskKey: "backout", owner: "person:eve\u{0}il"), as: "carol")
            #expect(nulOwner?.rule == "configuration.person_format")
            let longKey = await harness.refusal(ActOnTask(releaseKey: key, taskKey: String(repeating: "k", count: 300), action: "start"), as: "carol")
            #expect(longKey?.kind == .notFound)

            // The same add resent after a timeout (same envelope): one task, the first answer.
            let add = Envelope(AddWorkPlanTask(releaseKey: key, task: Self.task("extra", after: ["structure"])), correlationId: key, actor: "carol")
            let first = try await harness.requests.send(add, timeout: .seconds(10))
            let again = try await harness.requests.send(add, timeout: .seconds(10))
            #expect(first == again && first.taskCount == DefaultJobPlan.plan.tasks.count + 1)
            // A build service's answer naming a manual task changes nothing.
            let stray = try await harness.deliver(ImageBuildFinished(releaseKey: key, taskKey: "structure", succeeded: true),
                                                  as: "shipboard-build", correlationId: key)
            let deadline = ContinuousClock.now + .seconds(15)
            while try await !harness.handled(stray), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await harness.handled(stray))
            let state = try await harness.pool.query(
                "SELECT state FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) AND key = 'structure'"
            ).single().decode(at: 0, as: String.self)
            #expect(state == "ready")
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }
}
