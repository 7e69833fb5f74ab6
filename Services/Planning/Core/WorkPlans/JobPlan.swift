import Contracts

/// A versioned template of tasks that a release applies to get its work plan. Versions are
/// immutable: a new version never changes the work plans applied from an older one (they
/// are copies).
public struct JobPlan: Sendable, Equatable, Codable {
    public static let maximumTasks = 10_000

    public var name: String
    public var version: Int
    public var description: String
    public var tasks: [JobPlanTask]

    public init(name: String, version: Int = 1, description: String = "", tasks: [JobPlanTask]) {
        self.name = name
        self.version = version
        self.description = description
        self.tasks = tasks
    }

    /// Every rule a stored job plan obeys: names, fields of each task, unique keys, known
    /// predecessors, no cycle (the error names one).
    public func validate() throws(CommandError) {
        try ConfigurationNames.require(name, field: "name")
        guard description.count <= 2_000, !description.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw CommandError(.validation, "description must be at most 2,000 characters", rule: "job_plans.description",
                               fields: ["description": "invalid"])
        }
        guard (1...Self.maximumTasks).contains(tasks.count) else {
            throw CommandError(.validation, "a job plan has 1 to \(Self.maximumTasks) tasks", rule: "job_plans.size",
                               fields: ["tasks": "\(tasks.count) tasks"])
        }
        var keys: Set<String> = []
        for (index, task) in tasks.enumerated() {
            try TaskFieldRules.validate(
                key: task.key, title: task.title, group: task.group, phase: task.phase, owner: task.owner,
                estimateMinutes: task.estimateMinutes, kind: task.kind, step: task.step, field: "tasks/\(index)/")
            guard keys.insert(task.key).inserted else {
                throw CommandError(.validation, "task key \(task.key) is used twice", rule: "tasks.unique_key",
                                   fields: ["tasks/\(index)/key": "repeated"])
            }
        }
        let phases = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.phase) })
        for (index, task) in tasks.enumerated() {
            try TaskFieldRules.requirePredecessors(task.predecessors, of: task.key, among: keys, field: "tasks/\(index)/predecessors")
            // A predecessor in a later phase would hold the task past its own phase's exit.
            for predecessor in task.predecessors {
                if let phase = phases[predecessor], phase > task.phase {
                    throw CommandError(
                        .validation, "\(task.key) (\(task.phase.rawValue)) cannot follow \(predecessor) of the later phase \(phase.rawValue)",
                        rule: "tasks.phase_order", fields: ["tasks/\(index)/predecessors": "later phase"])
                }
            }
        }
        try TaskFieldRules.requireAcyclic(Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.predecessors) }), field: "tasks")
    }
}
