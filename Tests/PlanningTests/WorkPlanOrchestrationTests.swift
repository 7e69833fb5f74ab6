import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// Planning drives the other services over the real servers: entering a phase starts its
/// ready automated tasks and sends their commands (through the outbox: they wait in the
/// service's queue when it is not running); the services' events finish or fail them.
@Suite("Work plans: orchestration of the other services", .serialized)
struct WorkPlanOrchestrationTests {
    static func task(_ key: String, _ phase: ReleasePhase, after: [String] = [], kind: TaskKind = .manual, step: AutomatedStep? = nil) -> JobPlanTaskInput {
        JobPlanTaskInput(key: key, title: "Do \(key)", group: "work", phase: phase, owner: "group:release-managers",
                         estimateMinutes: 30, predecessors: after, kind: kind, step: step)
    }

    /// Polls `condition` until it holds or 15 s pass.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    func outboxCommands(_ harness: PlanningHarness, _ key: String) async throws -> [String] {
        try await harness.pool.query(
            """
            SELECT message_type || ':' || (convert_from(body, 'UTF8')::jsonb #>> '{payload,taskKey}')
            FROM \(identifier: harness.schema).outbox
            WHERE correlation_id = \(key) AND exchange = \(Exchanges.commands) ORDER BY seq
            """
        ).map { try $0.decode(at: 0, as: String.self) }
    }

    func state(_ harness: PlanningHarness, _ key: String, _ task: String) async throws -> String {
        try await harness.pool.query(
            """
            SELECT state || ':' || coalesce(assignee, '-') || ':' || coalesce(reason, '-')
            FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) AND key = \(task)
            """
        ).single().decode(at: 0, as: String.self)
    }

    @Test("entering build sends the build command and the task waits on shipboard-build; its event finishes it; a failed test fails its task")
    func phasesDriveServices() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(SaveJobPlan(name: "pipeline", tasks: [
                Self.task("compile", .build, kind: .automated, step: .build),
                Self.task("notes", .build),
                Self.task("verify", .test, after: ["compile"], kind: .automated, step: .test),
            ]), as: "rita")
            let key = try await harness.authorizedRelease(title: "Orchestrated")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "pipeline"), as: "carol")
            #expect(try await outboxCommands(harness, key).isEmpty, "nothing is sent before the release is in build")
            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "carol")
            #expect(try await outboxCommands(harness, key) == ["build.build_image:compile"])
            #expect(try await state(harness, key, "compile") == "in_progress:shipboard-build:-")
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: "compile", action: "finish"), as: "carol")?.rule == "tasks.automated")

            // shipboard-build answers: the task is done; verify is ready but belongs to test.
            let built = try await harness.deliver(ImageBuildFinished(releaseKey: key, taskKey: "compile", succeeded: true),
                                                  as: "shipboard-build", correlationId: key)
            #expect(try await eventually { try await harness.handled(built) })
            #expect(try await state(harness, key, "compile") == "done:shipboard-build:-")
            #expect(try await state(harness, key, "verify") == "ready:-:-")
            // The same answer again (a new message) changes nothing; nor does one for an unknown release.
            let again = try await harness.deliver(ImageBuildFinished(releaseKey: key, taskKey: "compile", succeeded: false, detail: "late"),
                                                  as: "shipboard-build", correlationId: key)
            let stray = try await harness.deliver(ImageBuildFinished(releaseKey: "REL-999999", taskKey: "compile", succeeded: true),
                                                  as: "shipboard-build", correlationId: "REL-999999")
            #expect(try await eventually {
                let first = try await harness.handled(again)
                let second = try await harness.handled(stray)
                return first && second
            })
            #expect(try await state(harness, key, "compile") == "done:shipboard-build:-")

            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .build), as: "carol")
            #expect(try await outboxCommands(harness, key) == ["build.build_image:compile", "testing.run_tests:verify"])
            let failed = try await harness.deliver(TestsFinished(releaseKey: key, taskKey: "verify", succeeded: false, detail: "3 of 40 failed"),
                                                   as: "shipboard-testing", correlationId: key)
            #expect(try await eventually { try await harness.handled(failed) })
            #expect(try await state(harness, key, "verify") == "failed:shipboard-testing:3 of 40 failed")
            let types = try await harness.outboxTypes(key)
            #expect(types.filter { $0 == TaskChanged.messageType }.count == 4, "\(types)")
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    @Test("a task finished by hand that readies an automated task of the current phase sends its command at once")
    func manualWorkReadiesAutomatedWork() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(SaveJobPlan(name: "gated-build", tasks: [
                Self.task("prepare", .build),
                Self.task("compile", .build, after: ["prepare"], kind: .automated, step: .build),
            ]), as: "rita")
            let key = try await harness.authorizedRelease(title: "Gated build")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "gated-build"), as: "carol")
            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "carol")
            _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "carol")
            #expect(try await outboxCommands(harness, key).isEmpty, "compile waits for prepare")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prepare", action: "start"), as: "carol")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prepare", action: "finish"), as: "carol")
            #expect(try await outboxCommands(harness, key) == ["build.build_image:compile"])
            #expect(try await state(harness, key, "compile") == "in_progress:shipboard-build:-")
        }
    }

    @Test("auto-advance: the release leaves each phase by itself once its tasks are done, driven by the services' answers")
    func autoAdvance() async throws {
        try await PlanningHarness.run { harness in
            for phase in [ReleasePhase.build, .test] {
                _ = try await harness.send(ConfigureExitCriterion(phase: phase, criterion: "phase_tasks_finished", severity: "error"), as: "admin")
            }
            _ = try await harness.send(SaveJobPlan(name: "auto", tasks: [
                Self.task("compile", .build, kind: .automated, step: .build),
                Self.task("verify", .test, after: ["compile"], kind: .automated, step: .test),
            ]), as: "rita")
            let key = try await harness.authorizedRelease(title: "Auto")
            _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: "auto"), as: "carol")
            // On: initiate (approved) and plan (no criteria) are left at once; build waits for compile.
            #expect(try await harness.send(SetAutoAdvance(releaseKey: key, enabled: true), as: "carol").phase == .build)
            #expect(try await outboxCommands(harness, key) == ["build.build_image:compile"])
            let built = try await harness.deliver(ImageBuildFinished(releaseKey: key, taskKey: "compile", succeeded: true),
                                                  as: "shipboard-build", correlationId: key)
            #expect(try await eventually { try await harness.handled(built) })
            #expect(try await phase(harness, key) == "test")
            #expect(try await outboxCommands(harness, key) == ["build.build_image:compile", "testing.run_tests:verify"])
            let tested = try await harness.deliver(TestsFinished(releaseKey: key, taskKey: "verify", succeeded: true),
                                                   as: "shipboard-testing", correlationId: key)
            #expect(try await eventually { try await harness.handled(tested) })
            #expect(try await phase(harness, key) == "review", "nothing holds rollout_plan, prepare or deploy")
            let advancedBy = try await harness.pool.query(
                """
                SELECT count(*) FROM \(identifier: harness.schema).audit_log
                WHERE release_key = \(key) AND action = 'release.phase_changed' AND actor = 'shipboard-planning'
                """).single().decode(at: 0, as: Int.self)
            #expect(advancedBy == 7, "initiate → plan → build, then test → rollout_plan → prepare → deploy → review")
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    func phase(_ harness: PlanningHarness, _ key: String) async throws -> String {
        try await harness.pool.query("SELECT phase FROM \(identifier: harness.schema).releases WHERE key = \(key)")
            .single().decode(at: 0, as: String.self)
    }
}
