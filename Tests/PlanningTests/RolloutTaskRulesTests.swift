import Contracts
import Foundation
import PlanningCore
import Testing

/// Planning's rules for the rollout (pure): a plan's tasks in the work plan, replanning, a
/// target's outcome on its task, and what the rollout's end does to the release.
@Suite("Work plans: rollout tasks")
struct RolloutTaskRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let manager = TaskActor.person("rita", groups: [], isReleaseManager: true)
    static let sites = ["FRA1", "AMS1", "LON1"]

    /// prepare → deployment (automated rollout_start) → verification, with site preparation beside.
    static func workPlan() -> WorkPlan {
        func task(_ key: String, _ phase: ReleasePhase, after: [String] = [], kind: TaskKind = .manual, step: AutomatedStep? = nil) -> JobPlanTask {
            JobPlanTask(key: key, title: "Do \(key)", group: "work", phase: phase, owner: .group("rollout-operators"),
                        estimateMinutes: 60, predecessors: after, kind: kind, step: step)
        }
        return WorkPlan(applying: JobPlan(name: "deploy", tasks: [
            task("prepare", .prepare),
            task("site-check", .prepare),
            task("deployment", .deploy, after: ["prepare", "site-check"], kind: .automated, step: .rolloutStart),
            task("verification", .deploy, after: ["deployment"]),
            task("review", .review, after: ["verification"]),
        ]))
    }

    /// The seed: 2 sources × 20 targets at 3 sites; the first wave's targets go first, and
    /// CI-SRV-0005 waits for CI-SRV-0001 (it depends on it).
    static func seed(targets: Range<Int> = 1..<21) -> [RolloutTaskSpec] {
        targets.flatMap { number in
            ["CI-APP-0001", "CI-APP-0002"].map { source in
                let target = String(format: "CI-SRV-%04d", number)
                let needs = number == 5 ? ["CI-APP-0001", "CI-APP-0002"].map { key($0, "CI-SRV-0001") } : []
                return RolloutTaskSpec(taskKey: key(source, target), source: source, target: target, site: sites[number % 3],
                                       wave: number <= 2 ? 0 : 1 + number % 3, dependsOn: needs)
            }
        }
    }

    static func key(_ source: String, _ target: String) -> String { "rollout-\(source.lowercased())-\(target.lowercased())" }

    static func planned(_ tasks: [RolloutTaskSpec], id: String = "r1", replaces: String? = nil) -> RolloutPlannedEvent {
        RolloutPlannedEvent(releaseKey: "REL-000001", rolloutId: id, replaces: replaces, image: "app@1.0", tasks: tasks)
    }

    @Test("a plan of 2 sources × 20 targets puts 40 rollout tasks after the deploy task, waiting with it, on shipboard-rollout; the same plan again changes nothing")
    func seedPlan() throws {
        var plan = Self.workPlan()
        let change = try plan.applyRolloutPlan(Self.planned(Self.seed()), at: Self.now)
        #expect(change.added.count == 40 && change.updated.isEmpty && change.removed.isEmpty && change.cancelled.isEmpty)
        let rollout = plan.tasks.filter { $0.kind == .rollout }
        #expect(rollout.count == 40)
        #expect(Array(plan.tasks.map(\.key)[0...2]) == ["prepare", "site-check", "deployment"])
        #expect(plan.tasks[3].key == Self.key("CI-APP-0001", "CI-SRV-0001") && plan.tasks.last?.key == "review")
        let first = try #require(plan[Self.key("CI-APP-0001", "CI-SRV-0003")])
        #expect(first.title == "Roll out CI-APP-0001 to CI-SRV-0003 (FRA1, wave 2)", "waves counted from 1 for people")
        #expect(first.phase == .deploy && first.group == "rollout" && first.estimateMinutes == 0)
        #expect(first.assignee == WorkPlan.rolloutService && first.owner == .group("rollout-operators"))
        #expect(first.predecessors == ["prepare", "site-check"] && first.state == .waiting)
        let dependent = try #require(plan[Self.key("CI-APP-0002", "CI-SRV-0005")])
        #expect(dependent.predecessors == ["prepare", "site-check", Self.key("CI-APP-0001", "CI-SRV-0001"), Self.key("CI-APP-0002", "CI-SRV-0001")])

        let before = plan
        #expect(try plan.applyRolloutPlan(Self.planned(Self.seed()), at: Self.now).isEmpty)
        #expect(plan == before)

        // Deployment may begin: the rollout tasks are ready with it (but the one waiting for another target).
        for key in ["prepare", "site-check"] {
            _ = try plan.perform(.start, on: key, by: Self.manager, at: Self.now)
            _ = try plan.perform(.finish, on: key, by: Self.manager, at: Self.now)
        }
        #expect(plan["deployment"]?.state == .ready)
        #expect(plan[first.key]?.state == .ready && plan[dependent.key]?.state == .waiting)
    }

    @Test("a new plan replaces the rollout tasks: an unworked task no longer planned is removed, a failed one cancelled, a done one kept; planned ones keep their progress")
    func replan() throws {
        var plan = Self.workPlan()
        _ = try plan.applyRolloutPlan(Self.planned(Self.seed(targets: 1..<5)), at: Self.now)
        let done = Self.key("CI-APP-0001", "CI-SRV-0001"), failed = Self.key("CI-APP-0002", "CI-SRV-0001")
        let stays = Self.key("CI-APP-0001", "CI-SRV-0002")
        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: done, at: Self.now)?.to == .done)
        #expect(plan.recordRolloutOutcome(.failed, detail: "timeout", on: failed, at: Self.now)?.to == .failed)
        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: stays, at: Self.now)?.to == .done)

        let next = Self.seed(targets: 2..<7).filter { $0.source == "CI-APP-0001" }.map { spec in
            var unlinked = spec
            unlinked.dependsOn = []
            return unlinked
        }
        let change = try plan.applyRolloutPlan(Self.planned(next, id: "r2", replaces: "r1"), at: Self.now)
        #expect(change.cancelled == [failed])
        #expect(Set(change.removed) == Set(["CI-SRV-0002", "CI-SRV-0003", "CI-SRV-0004"].map { Self.key("CI-APP-0002", $0) }))
        #expect(change.added == ["CI-SRV-0005", "CI-SRV-0006"].map { Self.key("CI-APP-0001", $0) })
        #expect(plan[done]?.state == .done, "not in the new plan, but finished: history")
        #expect(plan[failed]?.state == .cancelled && plan[failed]?.reason == "replaced by rollout r2")
        #expect(plan[stays]?.state == .done, "in the new plan with its progress")
        #expect(plan[Self.key("CI-APP-0002", "CI-SRV-0002")] == nil)
        // The new plan's links only: CI-SRV-0005 no longer waits for the CI-SRV-0001 tasks.
        #expect(plan[Self.key("CI-APP-0001", "CI-SRV-0005")]?.predecessors == ["prepare", "site-check"])

        // The failed target planned again reopens.
        let back = Self.seed(targets: 1..<2).filter { $0.source == "CI-APP-0002" } + next
        let reopened = try plan.applyRolloutPlan(Self.planned(back, id: "r3", replaces: "r2"), at: Self.now)
        #expect(reopened.updated == [failed] && plan[failed]?.state == .waiting && plan[failed]?.reason == nil)
    }

    @Test("a malformed plan is refused whole, naming its rule: hostile or repeated keys, a key of another task, unknown or cyclic dependencies, a wave out of range")
    func malformedPlans() {
        let good = Self.seed(targets: 1..<3)
        func rule(_ change: (inout [RolloutTaskSpec]) -> Void) -> String? {
            var tasks = good
            change(&tasks)
            var plan = Self.workPlan()
            let before = plan
            let error = WorkPlanTests.refusal { _ = try plan.applyRolloutPlan(Self.planned(tasks), at: Self.now) }
            #expect(plan == before)
            return error?.rule
        }
        #expect(rule { $0[0].taskKey = "rollout-" + String(repeating: "x", count: 300) } == "rollout_tasks.key")
        #expect(rule { $0[0].taskKey = "rollout-a\u{0}b" } == "rollout_tasks.key")
        #expect(rule { $0[0].taskKey = "deployment-x" } == "rollout_tasks.key")
        #expect(rule { $0[1].taskKey = $0[0].taskKey } == "rollout_tasks.key")
        #expect(rule { $0[0].dependsOn = ["rollout-nowhere"] } == "tasks.predecessors")
        #expect(rule { $0[0].dependsOn = [$0[1].taskKey]; $0[1].dependsOn = [$0[0].taskKey] } == "tasks.cycle")
        #expect(rule { $0[0].wave = Int.max } == "rollout_tasks.wave")
        #expect(rule { $0[0].wave = -1 } == "rollout_tasks.wave")
        var plan = WorkPlan(applying: DefaultJobPlan.plan)
        let taken = RolloutTaskSpec(taskKey: "rollout-plan", source: "CI-APP-0001", target: "CI-SRV-0001", site: "FRA1", wave: 0)
        #expect(WorkPlanTests.refusal { _ = try plan.applyRolloutPlan(Self.planned([taken]), at: Self.now) }?.rule == "rollout_tasks.key_taken")
    }

    @Test("a title from hostile names has no control characters and fits 200 code points")
    func hostileTitle() throws {
        let long = String(repeating: "e\u{301}", count: 300) + "\u{0}\n"
        var plan = Self.workPlan()
        let spec = RolloutTaskSpec(taskKey: "rollout-x", source: long, target: long, site: long, wave: 100_000)
        _ = try plan.applyRolloutPlan(Self.planned([spec]), at: Self.now)
        let title = try #require(plan["rollout-x"]?.title)
        #expect(title.unicodeScalars.count <= 200 && !title.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(title.hasPrefix("Roll out e\u{301}") && title.hasSuffix(", wave 100001)"))
    }

    @Test("a target's outcome moves its task: succeeded done, failed and backed out failed, skipped and excluded skipped, retried ready again; repeats and other tasks do not move")
    func outcomes() throws {
        var plan = Self.workPlan()
        _ = try plan.applyRolloutPlan(Self.planned(Self.seed(targets: 1..<6)), at: Self.now)
        for key in ["prepare", "site-check"] {
            _ = try plan.perform(.start, on: key, by: Self.manager, at: Self.now)
            _ = try plan.perform(.finish, on: key, by: Self.manager, at: Self.now)
        }
        let a = Self.key("CI-APP-0001", "CI-SRV-0001"), b = Self.key("CI-APP-0002", "CI-SRV-0001")
        let dependent = Self.key("CI-APP-0001", "CI-SRV-0005")
        let succeeded = plan.recordRolloutOutcome(.succeeded, detail: nil, on: a, at: Self.now)
        #expect(succeeded?.from == .ready && succeeded?.to == .done && succeeded?.nowReady == [])
        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: a, at: Self.now) == nil, "a repeat")
        let second = plan.recordRolloutOutcome(.succeeded, detail: nil, on: b, at: Self.now)
        #expect(second?.nowReady.sorted() == [dependent, Self.key("CI-APP-0002", "CI-SRV-0005")])

        let c = Self.key("CI-APP-0001", "CI-SRV-0002")
        #expect(plan.recordRolloutOutcome(.failed, detail: "install.sh exited 3\u{0}", on: c, at: Self.now)?.to == .failed)
        #expect(plan[c]?.reason == "install.sh exited 3")
        #expect(plan.recordRolloutOutcome(.failed, detail: "install.sh exited 3", on: c, at: Self.now) == nil)
        #expect(plan.recordRolloutOutcome(.pending, detail: nil, on: c, at: Self.now)?.to == .ready)
        #expect(plan[c]?.reason == nil && plan[c]?.finishedAt == nil)
        #expect(plan.recordRolloutOutcome(.pending, detail: nil, on: c, at: Self.now) == nil, "only a failed task is retried")

        let backedOut = plan.recordRolloutOutcome(.backedOut, detail: nil, on: a, at: Self.now)
        #expect(backedOut?.from == .done && backedOut?.to == .failed && backedOut?.nowReady == [])
        #expect(plan[a]?.reason == "backed out" && plan[dependent]?.state == .waiting, "what followed it waits again")
        let d = Self.key("CI-APP-0001", "CI-SRV-0003"), e = Self.key("CI-APP-0001", "CI-SRV-0004")
        #expect(plan.recordRolloutOutcome(.skipped, detail: nil, on: d, at: Self.now)?.to == .skipped)
        #expect(plan.recordRolloutOutcome(.excluded, detail: "decommissioned", on: e, at: Self.now)?.to == .skipped)
        #expect(plan[e]?.reason == "excluded: decommissioned")
        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: d, at: Self.now) == nil, "skipped is final")

        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: "deployment", at: Self.now) == nil, "not a rollout task")
        #expect(plan.recordRolloutOutcome(.succeeded, detail: nil, on: "rollout-unknown", at: Self.now) == nil)
        #expect(plan.recordRolloutOutcome(.running, detail: nil, on: c, at: Self.now) == nil)
    }

    @Test("people cannot move a rollout task by hand, not even a release manager, nor write one into a plan: it follows its target")
    func noHandActions() throws {
        var plan = Self.workPlan()
        _ = try plan.applyRolloutPlan(Self.planned(Self.seed(targets: 1..<2)), at: Self.now)
        let key = Self.key("CI-APP-0001", "CI-SRV-0001")
        for action in [TaskAction.start, .skip(reason: "not needed")] {
            #expect(WorkPlanTests.refusal { _ = try plan.perform(action, on: key, by: Self.manager, at: Self.now) }?.rule == "tasks.rollout")
        }
        let written = WorkPlanTests.task("rollout-by-hand", phase: .deploy, kind: .rollout)
        #expect(WorkPlanTests.refusal { try plan.add(written) }?.rule == "tasks.kind")
        #expect(WorkPlanTests.refusal { try JobPlan(name: "p", tasks: [written]).validate() }?.rule == "tasks.kind")
    }

    @Test("the rollout's end: backed out, or aborted after a halt, backs the release out; halted, completed and a plain abort are recorded only")
    func endings() {
        #expect(RolloutEnding.command(for: .backedOut, reason: "threshold: 3 of 10 failed", rolloutId: "r1", haltedBefore: true)
            == .backOut(reason: "threshold: 3 of 10 failed"))
        #expect(RolloutEnding.command(for: .backedOut, reason: " \u{0} ", rolloutId: "r1", haltedBefore: false)
            == .backOut(reason: "shipboard-rollout backed out rollout r1"))
        #expect(RolloutEnding.command(for: .aborted, reason: nil, rolloutId: "r1", haltedBefore: true)
            == .backOut(reason: "shipboard-rollout aborted rollout r1"))
        #expect(RolloutEnding.command(for: .aborted, reason: "operator", rolloutId: "r1", haltedBefore: false) == nil)
        #expect(RolloutEnding.command(for: .halted, reason: "threshold", rolloutId: "r1", haltedBefore: false) == nil)
        #expect(RolloutEnding.command(for: .completed, reason: nil, rolloutId: "r1", haltedBefore: true) == nil)
    }
}
