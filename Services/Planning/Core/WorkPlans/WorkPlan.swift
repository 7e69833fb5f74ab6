import Contracts
import Foundation

/// A release's work plan: the tasks copied from a job plan when it was applied, edited
/// since, and their states.
///
/// Invariants (kept by every operation, checked by the property tests):
/// - task keys are unique and every predecessor names a task of the plan;
/// - the predecessors form no cycle;
/// - a task is `ready` exactly when it is not started and every predecessor is `done` or
///   `skipped`, and no task is started before that.
public struct WorkPlan: Sendable, Equatable {
    public let jobPlanName: String
    public let jobPlanVersion: Int
    /// In display order.
    public private(set) var tasks: [WorkPlanTask]
    /// Key → position in `tasks`.
    private var positions: [String: Int]
    /// False for a neighbourhood (a part of the plan): tasks whose predecessors are not all
    /// here keep their stored state, since what holds them cannot be seen.
    public let isComplete: Bool

    /// The work plan a release gets from `plan` (already validated when it was stored).
    public init(applying plan: JobPlan) {
        self.init(jobPlanName: plan.name, jobPlanVersion: plan.version, tasks: plan.tasks.map(WorkPlanTask.init(copying:)))
    }

    /// The work plan a release at `sites` gets from `plan`: its site preparation is one task
    /// per site (``SitePreparation``).
    public init(applying plan: JobPlan, sites: [String]) {
        var expanded = plan
        expanded.tasks = SitePreparation.expand(plan.tasks, sites: sites)
        self.init(applying: expanded)
    }

    /// A work plan as stored; readiness is recomputed, so a stored `waiting`/`ready` that
    /// disagrees with its predecessors cannot survive a load.
    public init(jobPlanName: String, jobPlanVersion: Int, tasks: [WorkPlanTask]) {
        self.init(jobPlanName: jobPlanName, jobPlanVersion: jobPlanVersion, tasks: tasks, isComplete: true)
    }

    /// The part of a stored work plan that an action on one task reads and changes: the task,
    /// its predecessors (whether it may start), its successors (they may become ready) and
    /// their predecessors (whether they do). Every rule runs on it as on the whole plan; a
    /// command that acts on one task need not read thousands.
    public static func neighbourhood(jobPlanName: String, jobPlanVersion: Int, tasks: [WorkPlanTask]) -> WorkPlan {
        WorkPlan(jobPlanName: jobPlanName, jobPlanVersion: jobPlanVersion, tasks: tasks, isComplete: false)
    }

    private init(jobPlanName: String, jobPlanVersion: Int, tasks: [WorkPlanTask], isComplete: Bool) {
        self.jobPlanName = jobPlanName
        self.jobPlanVersion = jobPlanVersion
        self.isComplete = isComplete
        self.tasks = tasks
        self.positions = Dictionary(tasks.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        refreshReadiness()
    }

    public subscript(key: String) -> WorkPlanTask? {
        positions[key].map { tasks[$0] }
    }

    /// Tasks of `phase` that are neither done nor skipped (cancelled ones do not hold a phase).
    public func unfinishedTasks(in phase: ReleasePhase) -> [WorkPlanTask] {
        tasks.filter { $0.phase == phase && !$0.state.releasesSuccessors && $0.state != .cancelled }
    }

    /// Moves every not-started task between `waiting` and `ready` as its predecessors say.
    mutating func refreshReadiness() {
        for index in tasks.indices where tasks[index].state == .waiting || tasks[index].state == .ready {
            if !isComplete, !tasks[index].predecessors.allSatisfy({ positions[$0] != nil }) { continue }
            let ready = tasks[index].predecessors.allSatisfy { positions[$0].map { tasks[$0].state.releasesSuccessors } ?? false }
            tasks[index].state = ready ? .ready : .waiting
        }
    }

    /// The unfinished predecessors of a task, in plan order.
    func blockers(of task: WorkPlanTask) -> [String] {
        task.predecessors.filter { key in positions[key].map { !tasks[$0].state.releasesSuccessors } ?? true }
    }

    func position(of key: String) throws(CommandError) -> Int {
        guard let position = positions[key] else {
            // A key that could be a task's is named; anything else (300 characters, a NUL, markup)
            // is not repeated back to whoever typed it.
            let named = ConfigurationNames.isValid(key) ? "task \(key)" : "such task"
            throw CommandError(.notFound, "no \(named) in this work plan", rule: "tasks.unknown", fields: ["taskKey": "unknown"])
        }
        return position
    }

    mutating func replaceTasks(_ tasks: [WorkPlanTask]) {
        self.tasks = tasks
        positions = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, $0) })
        refreshReadiness()
    }

    mutating func update(at position: Int, _ change: (inout WorkPlanTask) -> Void) {
        change(&tasks[position])
    }
}
