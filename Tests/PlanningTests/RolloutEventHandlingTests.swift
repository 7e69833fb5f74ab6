import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-rollout's events as planning's consumer handles them over the real servers: the
/// plan becomes rollout tasks, targets move them, the rollout's end moves the release.
@Suite("Work plans: rollout events", .serialized)
struct RolloutEventHandlingTests {
    let orchestration = WorkPlanOrchestrationTests()

    /// A release in deploy, auto-advancing, whose `deployment` (rollout_start) waits for `prep`;
    /// the deploy phase is left only when its tasks are finished. Returns its key.
    func releaseInDeploy(_ harness: PlanningHarness, title: String) async throws -> String {
        try await autoAdvancingRelease(harness, title: title, holding: [.deploy], plan: [
            WorkPlanOrchestrationTests.task("prep", .prepare),
            WorkPlanOrchestrationTests.task("deployment", .deploy, after: ["prep"], kind: .automated, step: .rolloutStart),
        ], stopsIn: .deploy)
    }

    /// A release with work plan `plan`, auto-advancing until `stopsIn`; the phases `holding`
    /// are left only when their tasks are finished. Returns its key.
    func autoAdvancingRelease(
        _ harness: PlanningHarness, title: String, holding: [ReleasePhase], plan: [JobPlanTaskInput], stopsIn phase: ReleasePhase
    ) async throws -> String {
        for held in holding {
            _ = await harness.refusal(ConfigureExitCriterion(phase: held, criterion: "phase_tasks_finished", severity: "error"), as: "admin")
        }
        let name = "rollout-flow-\(phase.rawValue)".replacingOccurrences(of: "_", with: "-")
        _ = await harness.refusal(SaveJobPlan(name: name, tasks: plan), as: "rita")
        let key = try await harness.authorizedRelease(title: title)
        _ = try await harness.send(ApplyJobPlan(releaseKey: key, jobPlanName: name), as: "carol")
        #expect(try await harness.send(SetAutoAdvance(releaseKey: key, enabled: true), as: "carol").phase == phase)
        return key
    }

    /// Runs `body` with a harness and a release in deploy; the release's audit trail is intact after it.
    func withRelease(_ title: String, _ body: (PlanningHarness, String) async throws -> Void) async throws {
        try await PlanningHarness.run { harness in
            let key = try await releaseInDeploy(harness, title: title)
            try await body(harness, key)
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    /// 2 sources × `targets` targets at three sites.
    static func specs(_ targets: ClosedRange<Int> = 1...20, sources: [String] = ["CI-APP-0001", "CI-APP-0002"]) -> [RolloutTaskSpec] {
        targets.flatMap { number in
            sources.map { source in
                let target = String(format: "CI-SRV-%04d", number)
                return RolloutTaskSpec(taskKey: "rollout-\(source.lowercased())-\(target.lowercased())", source: source, target: target,
                                       site: ["FRA1", "AMS1", "LON1"][number % 3], wave: number % 3)
            }
        }
    }

    /// Delivers every event as shipboard-rollout, in order, and waits until all are handled.
    func deliver(_ harness: PlanningHarness, _ key: String, _ events: [any EventContract]) async throws {
        var ids: [UUID] = []
        for event in events { ids.append(try await harness.deliver(event, as: "shipboard-rollout", correlationId: key)) }
        let handled = try await orchestration.eventually {
            for id in ids where try await !harness.handled(id) { return false }
            return true
        }
        #expect(handled, "every event is handled")
    }

    func rolloutTasks(_ harness: PlanningHarness, _ key: String) async throws -> [String: String] {
        let rows = try await harness.pool.query(
            """
            SELECT key, state || ':' || coalesce(reason, '-') FROM \(identifier: harness.schema).work_plan_tasks
            WHERE release_key = \(key) AND kind = 'rollout'
            """)
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(at: 0, as: String.self), try $0.decode(at: 1, as: String.self)) })
    }

    func audited(_ harness: PlanningHarness, _ key: String, _ action: String) async throws -> Int {
        try await harness.pool.query(
            "SELECT count(*) FROM \(identifier: harness.schema).audit_log WHERE release_key = \(key) AND action = \(action)"
        ).single().decode(at: 0, as: Int.self)
    }

    func release(_ harness: PlanningHarness, _ key: String) async throws -> String {
        try await harness.pool.query(
            "SELECT phase || '/' || status || '@' || version FROM \(identifier: harness.schema).releases WHERE key = \(key)"
        ).single().decode(at: 0, as: String.self)
    }

    static func target<Kind>(_ kind: Kind.Type, _ key: String, _ taskKey: String, detail: String? = nil) -> RolloutTargetEvent<Kind> {
        RolloutTargetEvent(releaseKey: key, rolloutId: "r1", taskKey: taskKey, target: "CI-SRV-0001", site: "FRA1", wave: 0, detail: detail)
    }

    @Test("one plan of 2 sources × 20 targets gives 40 rollout tasks waiting on shipboard-rollout, once; 40 successes and the rollout's end move the release to review")
    func seedRollout() async throws {
        try await withRelease("Seed rollout") { harness, key in
            let before = try await release(harness, key)
            let plan = RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: Self.specs())
            try await deliver(harness, key, [plan])
            let tasks = try await rolloutTasks(harness, key)
            #expect(tasks.count == 40 && Set(tasks.values) == ["waiting:-"])
            let shown = try await harness.pool.query(
                """
                SELECT DISTINCT phase || ':' || assignee || ':' || array_to_string(predecessors, ',')
                FROM \(identifier: harness.schema).work_plan_tasks WHERE release_key = \(key) AND kind = 'rollout'
                """).map { try $0.decode(at: 0, as: String.self) }
            #expect(shown == ["deploy:shipboard-rollout:prep"], "waiting with the deploy task, on shipboard-rollout")
            #expect(try await audited(harness, key, "rollout.planned") == 1)
            let after = try await release(harness, key)
            #expect(after != before && after.hasPrefix("deploy/in_progress@"), "the version moved: \(before) → \(after)")

            // The same plan again (a new message) changes nothing.
            try await deliver(harness, key, [RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: Self.specs())])
            #expect(try await rolloutTasks(harness, key).count == 40)
            #expect(try await audited(harness, key, "rollout.planned") == 1)
            #expect(try await release(harness, key) == after)

            // Deployment may begin: the rollout tasks are ready with the deploy task.
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prep", action: "start"), as: "carol")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prep", action: "finish"), as: "carol")
            #expect(try await Set(rolloutTasks(harness, key).values) == ["ready:-"])
            #expect(try await orchestration.state(harness, key, "deployment") == "in_progress:shipboard-rollout:-")
            let anyTask = try #require(tasks.keys.sorted().first)
            #expect(await harness.refusal(ActOnTask(releaseKey: key, taskKey: anyTask, action: "start"), as: "carol")?.rule == "tasks.rollout")

            try await deliver(harness, key, Self.specs().map { Self.target(TargetSucceededKind.self, key, $0.taskKey) })
            #expect(try await Set(rolloutTasks(harness, key).values) == ["done:-"])
            #expect(try await orchestration.phase(harness, key) == "deploy", "the deploy task is still running")
            try await deliver(harness, key, [
                RolloutCompleted(releaseKey: key, rolloutId: "r1", counts: ["succeeded": 40]),
                RolloutFinished(releaseKey: key, taskKey: "deployment", succeeded: true),
            ])
            #expect(try await orchestration.phase(harness, key) == "review")
            #expect(try await audited(harness, key, "rollout.completed") == 1)
        }
    }

    @Test("targets move their tasks (failed with the detail, retried, skipped, excluded); a hostile, unknown or other task's key changes nothing; a new plan replaces the old")
    func targetsAndReplanning() async throws {
        try await withRelease("Moving targets") { harness, key in
            let first = Self.specs(1...2)
            try await deliver(harness, key, [RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: first)])
            let (a, b, c, d) = (first[0].taskKey, first[1].taskKey, first[2].taskKey, first[3].taskKey)
            let hostile = "rollout-" + String(repeating: "x", count: 300) + "\u{0}"
            try await deliver(harness, key, [
                Self.target(TargetFailedKind.self, key, a, detail: "install.sh exited 3"),
                Self.target(TargetFailedKind.self, key, b, detail: "verify.sh exited 1"),
                Self.target(TargetRetriedKind.self, key, b),
                Self.target(TargetSkippedKind.self, key, c),
                Self.target(TargetSucceededKind.self, key, hostile),
                Self.target(TargetSucceededKind.self, key, "rollout-ci-app-0001-ci-srv-0099"),
                Self.target(TargetSucceededKind.self, key, "deployment"),
                Self.target(TargetSucceededKind.self, key, "prep"),
            ])
            let moved = try await rolloutTasks(harness, key)
            #expect(moved == [a: "failed:install.sh exited 3", b: "waiting:-", c: "skipped:skipped in the rollout", d: "waiting:-"], "\(moved)")
            #expect(try await orchestration.state(harness, key, "prep") == "ready:-:-")
            #expect(try await orchestration.state(harness, key, "deployment") == "waiting:-:-")
            #expect(try await audited(harness, key, TaskChanged.messageType) == 4)

            // Planned again for other targets: the failed task is cancelled, unworked ones go, the skipped one stays.
            let second = Self.specs(3...3)
            try await deliver(harness, key, [
                RolloutPlannedEvent(releaseKey: key, rolloutId: "r2", replaces: "r1", image: "app@1.0", tasks: second),
                Self.target(TargetExcludedKind.self, key, second[0].taskKey, detail: "decommissioned"),
            ])
            let replanned = try await rolloutTasks(harness, key)
            #expect(replanned == [a: "cancelled:replaced by rollout r2", c: "skipped:skipped in the rollout",
                                  second[0].taskKey: "skipped:excluded: decommissioned", second[1].taskKey: "waiting:-"], "\(replanned)")
            #expect(try await audited(harness, key, "rollout.planned") == 2)
        }
    }

    @Test("planned by the automated rollout-plan task in rollout_plan: the tasks arrive before plan_finished and wait until deployment may begin")
    func plannedInRolloutPlan() async throws {
        try await PlanningHarness.run { harness in
            let key = try await autoAdvancingRelease(harness, title: "Planned by the task", holding: [.rolloutPlan, .deploy], plan: [
                WorkPlanOrchestrationTests.task("plan-rollout", .rolloutPlan, kind: .automated, step: .rolloutPlan),
                WorkPlanOrchestrationTests.task("prep", .prepare, after: ["plan-rollout"]),
                WorkPlanOrchestrationTests.task("deployment", .deploy, after: ["prep"], kind: .automated, step: .rolloutStart),
            ], stopsIn: .rolloutPlan)
            try await deliver(harness, key, [
                RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: Self.specs(1...2)),
                RolloutPlanFinished(releaseKey: key, taskKey: "plan-rollout", succeeded: true),
            ])
            #expect(try await orchestration.phase(harness, key) == "deploy", "prepare holds nothing; deploy holds its tasks")
            #expect(try await Set(rolloutTasks(harness, key).values) == ["waiting:-"], "they wait for prep, as the deploy task does")
            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prep", action: "skip", reason: "nothing to prepare"), as: "carol")
            #expect(try await Set(rolloutTasks(harness, key).values) == ["ready:-"])
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor").intact)
        }
    }

    @Test("a malformed plan, or one for an unknown release or a release past deploy, changes nothing")
    func ignoredPlans() async throws {
        try await withRelease("Ignored plans") { harness, key in
            var taken = Self.specs(1...1)
            taken[0].dependsOn = ["rollout-nowhere"]
            try await deliver(harness, key, [
                RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: taken),
                RolloutPlannedEvent(releaseKey: "REL-999999", rolloutId: "r1", image: "app@1.0", tasks: Self.specs(1...1)),
                RolloutPlannedEvent(releaseKey: "REL-\u{0}" + String(repeating: "9", count: 300), rolloutId: "r1", image: "x", tasks: []),
            ])
            #expect(try await rolloutTasks(harness, key).isEmpty)
            #expect(try await audited(harness, key, "rollout.planned") == 0)

            _ = try await harness.send(ActOnTask(releaseKey: key, taskKey: "prep", action: "skip", reason: "done elsewhere"), as: "carol")
            try await deliver(harness, key, [RolloutFinished(releaseKey: key, taskKey: "deployment", succeeded: true)])
            #expect(try await orchestration.phase(harness, key) == "review")
            try await deliver(harness, key, [RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: Self.specs(1...1))])
            #expect(try await rolloutTasks(harness, key).isEmpty)
        }
    }

    @Test("a backed-out rollout backs the release out, naming the reason; a halt is recorded once; an abort after a halt backs out, one without does not")
    func endings() async throws {
        try await withRelease("Backed out") { harness, key in
            try await deliver(harness, key, [
                RolloutPlannedEvent(releaseKey: key, rolloutId: "r1", image: "app@1.0", tasks: Self.specs(1...2)),
                RolloutHalted(releaseKey: key, rolloutId: "r1", reason: "failure threshold: 2 of 4 failed"),
                RolloutHalted(releaseKey: key, rolloutId: "r1", reason: "failure threshold: 2 of 4 failed"),
            ])
            #expect(try await audited(harness, key, "rollout.halted") == 1)
            #expect(try await orchestration.phase(harness, key) == "deploy")
            try await deliver(harness, key, [
                RolloutBackedOut(releaseKey: key, rolloutId: "r1", reason: "failure threshold: 2 of 4 failed", counts: ["backed_out": 2]),
            ])
            #expect(try await release(harness, key).hasPrefix("deploy/backed_out@"))
            let reason = try await harness.pool.query(
                """
                SELECT details ->> 'reason' FROM \(identifier: harness.schema).audit_log
                WHERE release_key = \(key) AND action = 'release.status_changed' ORDER BY seq DESC LIMIT 1
                """).single().decode(at: 0, as: String?.self)
            #expect(reason == "failure threshold: 2 of 4 failed")
            #expect(try await Set(rolloutTasks(harness, key).values) == ["cancelled:-"], "a finished release leaves no task open")

            let other = try await releaseInDeploy(harness, title: "Aborted")
            try await deliver(harness, other, [RolloutAborted(releaseKey: other, rolloutId: "r1", reason: "operator stopped it")])
            #expect(try await release(harness, other).hasPrefix("deploy/in_progress@"), "an abort before any halt is recorded only")
            try await deliver(harness, other, [
                RolloutHalted(releaseKey: other, rolloutId: "r2", reason: "failure threshold"),
                RolloutAborted(releaseKey: other, rolloutId: "r2"),
            ])
            #expect(try await release(harness, other).hasPrefix("deploy/backed_out@"))
            #expect(try await harness.send(VerifyAuditTrail(releaseKey: other), as: "auditor").intact)
        }
    }
}
