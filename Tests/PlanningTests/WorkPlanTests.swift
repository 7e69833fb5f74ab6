import Contracts
import Foundation
import PlanningCore
import Testing

/// The rules of job plans and work plans (pure types): validation, who may work a task,
/// the order tasks may start in, edits, progress and assignment.
@Suite("Work plans: rules")
struct WorkPlanTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let manager = TaskActor.person("rita", groups: [], isReleaseManager: true)

    static func task(
        _ key: String, after predecessors: [String] = [], phase: ReleasePhase = .plan, owner: TaskOwner = .group("builders"),
        minutes: Int = 60, kind: TaskKind = .manual, step: AutomatedStep? = nil
    ) -> JobPlanTask {
        JobPlanTask(key: key, title: "Task \(key)", group: "work", phase: phase, owner: owner, estimateMinutes: minutes,
                    predecessors: predecessors, kind: kind, step: step)
    }

    static func refusal(_ body: () throws -> Void) -> CommandError? {
        do {
            try body()
            return nil
        } catch {
            return error as? CommandError
        }
    }

    @Test("the default job plan is valid and covers the whole process, with the four service steps automated")
    func defaultPlan() throws {
        let plan = DefaultJobPlan.plan
        try plan.validate()
        #expect(Set(plan.tasks.map(\.phase)) == Set(ReleasePhase.allCases))
        #expect(Set(plan.tasks.compactMap(\.step)) == Set(AutomatedStep.allCases))
        for key in ["structure", "ci-relationships", "image-design", "install-scripts", "backout", "communication-plan",
                    "education-plan", "build", "test", "dml-acceptance", "rollout-plan", "stakeholder-briefing",
                    "site-preparation", "user-education", "deployment", "verification", "review"] {
            #expect(plan.tasks.contains { $0.key == key }, "\(key) is missing")
        }
        let work = WorkPlan(applying: plan)
        #expect(work.tasks.filter { $0.state == .ready }.map(\.key) == ["structure"])
    }

    @Test("a job plan with a repeated key, an unknown or own predecessor, a cycle or a later-phase predecessor is refused, saying which")
    func jobPlanValidation() {
        func rule(_ tasks: [JobPlanTask]) -> (String?, [String: String]) {
            let error = Self.refusal { try JobPlan(name: "p", tasks: tasks).validate() }
            return (error?.rule, error?.fields ?? [:])
        }
        #expect(rule([Self.task("a"), Self.task("a")]).0 == "tasks.unique_key")
        #expect(rule([Self.task("a", after: ["zz"])]).0 == "tasks.predecessors")
        #expect(rule([Self.task("a", after: ["a"])]).0 == "tasks.cycle")
        #expect(rule([Self.task("a", after: ["b", "b"]), Self.task("b")]).0 == "tasks.predecessors")
        let cycle = rule([Self.task("a", after: ["c"]), Self.task("b", after: ["a"]), Self.task("c", after: ["b"]), Self.task("d")])
        #expect(cycle.0 == "tasks.cycle" && cycle.1["tasks"] == "a → c → b → a", "\(cycle)")
        #expect(rule([Self.task("a", after: ["b"], phase: .plan), Self.task("b", phase: .build)]).0 == "tasks.phase_order")
        #expect(rule([Self.task("a", kind: .automated)]).0 == "tasks.step")
        #expect(rule([Self.task("a", step: .build)]).0 == "tasks.step")
        #expect(rule([Self.task("a", minutes: -1)]).0 == "tasks.estimate")
        #expect(rule([Self.task("A b")]).0 == "configuration.name_format")
        #expect(rule([Self.task("a", owner: .person(" rita"))]).0 == "configuration.person_format")
        var hostile = Self.task("a")
        hostile.title = "bad\u{0}title"
        #expect(rule([hostile]).0 == "tasks.title")
        hostile.title = String(repeating: "x", count: 201)
        #expect(rule([hostile]).0 == "tasks.title")
        #expect(rule([]).0 == "job_plans.size")
    }

    @Test("only the assignee, a member of the owning group or a release manager works a task; a service only its automated ones")
    func authority() throws {
        var plan = WorkPlan(applying: JobPlan(name: "p", tasks: [
            Self.task("mine", owner: .person("bob")), Self.task("group", owner: .group("testers")),
            Self.task("auto", owner: .group("testers"), kind: .automated, step: .test),
        ]))
        let bob = TaskActor.person("Bob", groups: [], isReleaseManager: false)
        let tess = TaskActor.person("tess", groups: ["testers"], isReleaseManager: false)
        let mallory = TaskActor.person("mallory", groups: ["builders"], isReleaseManager: false)
        #expect(Self.refusal { _ = try plan.perform(.start, on: "mine", by: mallory, at: Self.start) }?.rule == "tasks.not_assignee")
        #expect(Self.refusal { _ = try plan.perform(.start, on: "group", by: bob, at: Self.start) }?.kind == .forbidden)
        #expect(try plan.perform(.start, on: "mine", by: bob, at: Self.start).to == .inProgress)
        #expect(try plan.perform(.start, on: "group", by: tess, at: Self.start).to == .inProgress)
        #expect(plan["group"]?.assignee == "tess", "the member who starts a group's task becomes its assignee")
        #expect(Self.refusal { _ = try plan.perform(.start, on: "auto", by: Self.manager, at: Self.start) }?.rule == "tasks.automated")
        #expect(try plan.perform(.start, on: "auto", by: .service("shipboard-testing"), at: Self.start).to == .inProgress)
        #expect(Self.refusal { _ = try plan.perform(.finish, on: "auto", by: tess, at: Self.start) }?.rule == "tasks.automated")
    }

    @Test("a task starts only when its predecessors are done or skipped; a repeat is a conflict; skip and fail need a reason")
    func order() throws {
        var plan = WorkPlan(applying: JobPlan(name: "p", tasks: [
            Self.task("a"), Self.task("b"), Self.task("c", after: ["a", "b"]),
        ]))
        let early = Self.refusal { _ = try plan.perform(.start, on: "c", by: Self.manager, at: Self.start) }
        #expect(early?.rule == "tasks.not_ready" && early?.fields?["waitingFor"] == "a,b")
        _ = try plan.perform(.start, on: "a", by: Self.manager, at: Self.start)
        #expect(Self.refusal { _ = try plan.perform(.start, on: "a", by: Self.manager, at: Self.start) }?.rule == "tasks.already_started")
        #expect(try plan.perform(.finish, on: "a", by: Self.manager, at: Self.start).nowReady == [])
        #expect(Self.refusal { _ = try plan.perform(.finish, on: "a", by: Self.manager, at: Self.start) }?.rule == "tasks.final")
        #expect(Self.refusal { _ = try plan.perform(.skip(reason: " "), on: "b", by: Self.manager, at: Self.start) }?.rule == "tasks.reason")
        #expect(try plan.perform(.skip(reason: "not needed"), on: "b", by: Self.manager, at: Self.start).nowReady == ["c"])
        _ = try plan.perform(.start, on: "c", by: Self.manager, at: Self.start)
        #expect(Self.refusal { _ = try plan.perform(.fail(reason: ""), on: "c", by: Self.manager, at: Self.start) }?.rule == "tasks.reason")
        #expect(try plan.perform(.fail(reason: "disk full"), on: "c", by: Self.manager, at: Self.start).to == .failed)
        #expect(plan["c"]?.reason == "disk full")
        #expect(try plan.perform(.start, on: "c", by: Self.manager, at: Self.start).to == .inProgress, "a failed task is retried")
        #expect(Self.refusal { _ = try plan.perform(.start, on: "nope", by: Self.manager, at: Self.start) }?.kind == .notFound)
    }

    @Test("edits keep the plan sound: a cycle is named and refused, worked tasks are not removed or re-linked, successors are freed")
    func edits() throws {
        var plan = WorkPlan(applying: JobPlan(name: "p", tasks: [
            Self.task("a"), Self.task("b", after: ["a"]), Self.task("c", after: ["b"]),
        ]))
        let cycle = Self.refusal { try plan.setPredecessors("a", ["c"]) }
        #expect(cycle?.rule == "tasks.cycle" && cycle?.fields?["predecessors"] == "a → c → b → a", "\(String(describing: cycle))")
        #expect(plan["a"]?.predecessors == [], "nothing stored")
        try plan.add(Self.task("d", after: ["a"]), at: 1)
        #expect(plan.tasks.map(\.key) == ["a", "d", "b", "c"])
        #expect(Self.refusal { try plan.add(Self.task("d")) }?.rule == "tasks.unique_key")
        try plan.move("d", to: 99)
        #expect(plan.tasks.map(\.key) == ["a", "b", "c", "d"])
        _ = try plan.perform(.start, on: "a", by: Self.manager, at: Self.start)
        #expect(Self.refusal { try plan.remove("a") }?.rule == "tasks.has_work")
        #expect(Self.refusal { try plan.setPredecessors("a", []) }?.rule == "tasks.has_work")
        try plan.remove("b")
        #expect(plan["c"]?.predecessors == [] && plan["c"]?.state == .ready, "c no longer waits for the removed b")
        try plan.reassign("c", to: .person("ann"))
        #expect(plan["c"]?.assignee == "ann")
        try plan.setEstimate("c", minutes: 30)
        #expect(Self.refusal { try plan.setEstimate("c", minutes: 600_000) }?.rule == "tasks.estimate")
    }

    @Test("progress: percent per phase and overall, the critical path of what remains, the expected finish and late tasks")
    func progress() throws {
        // a(60) → b(120) → d(30); a → c(10) → d; e(45) in build, alone.
        var plan = WorkPlan(applying: JobPlan(name: "p", tasks: [
            Self.task("a", minutes: 60), Self.task("b", after: ["a"], minutes: 120), Self.task("c", after: ["a"], minutes: 10),
            Self.task("d", after: ["b", "c"], minutes: 30), Self.task("e", phase: .build, minutes: 45),
        ]))
        var progress = WorkPlanProgress(of: plan, now: Self.start, scheduledStart: Self.start)
        #expect(progress.criticalPath == ["a", "b", "d"] && progress.remainingMinutes == 210)
        #expect(progress.expectedFinish == Self.start.addingTimeInterval(210 * 60))
        #expect(progress.overall.total == 5 && progress.overall.finished == 0 && progress.lateTasks.isEmpty)

        _ = try plan.perform(.start, on: "a", by: Self.manager, at: Self.start)
        _ = try plan.perform(.finish, on: "a", by: Self.manager, at: Self.start)
        let later = Self.start.addingTimeInterval(100 * 60)
        _ = try plan.perform(.start, on: "b", by: Self.manager, at: later.addingTimeInterval(-20 * 60))
        progress = WorkPlanProgress(of: plan, now: later, scheduledStart: Self.start)
        // b has 120 − 20 minutes left, then d: 130; a is done and off the path.
        #expect(progress.criticalPath == ["b", "d"] && progress.remainingMinutes == 130)
        #expect(progress.phases[.plan]?.finished == 1 && progress.phases[.plan]?.total == 4 && progress.phases[.plan]?.inProgress == 1)
        #expect(progress.phases[.plan]?.percent == 25 && progress.phases[.build]?.percent == 0)
        // Planned: c finishes at 70 minutes, e at 45: both late at 100; b (180) and d (210) not yet.
        #expect(Set(progress.lateTasks) == ["c", "e"])
        #expect(WorkPlanProgress(of: plan, now: later, scheduledStart: nil).lateTasks.isEmpty)
        #expect(plan.unfinishedTasks(in: .plan).map(\.key) == ["b", "c", "d"])
    }

    @Test("assignment: round robin continues after the last assignee and wraps; least loaded picks the fewest open tasks, ties in turn")
    func assignment() {
        let members = ["Cleo", "ann", "bob"]
        #expect(TaskAssignment.choose(from: members, policy: .roundRobin, lastAssigned: nil, openTasks: [:]) == "ann")
        #expect(TaskAssignment.choose(from: members, policy: .roundRobin, lastAssigned: "ann", openTasks: [:]) == "bob")
        #expect(TaskAssignment.choose(from: members, policy: .roundRobin, lastAssigned: "cleo", openTasks: [:]) == "ann")
        #expect(TaskAssignment.choose(from: members, policy: .leastLoaded, lastAssigned: nil, openTasks: ["ann": 3, "bob": 1, "cleo": 1]) == "bob")
        #expect(TaskAssignment.choose(from: members, policy: .leastLoaded, lastAssigned: "bob", openTasks: ["ann": 3, "bob": 1, "cleo": 1]) == "cleo")
        #expect(TaskAssignment.choose(from: [], policy: .roundRobin, lastAssigned: nil, openTasks: [:]) == nil)
    }
}
