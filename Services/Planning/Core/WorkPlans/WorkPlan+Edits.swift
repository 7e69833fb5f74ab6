import Contracts

/// Edits a release manager makes to a release's copy of its job plan. Each keeps the plan's
/// invariants or is refused: a cycle is named, a task with work on it is not removed or
/// re-linked, a finished task is not changed.
extension WorkPlan {
    /// Adds `task` (a new key) at `position` (the end when nil).
    public mutating func add(_ task: JobPlanTask, at position: Int? = nil) throws(CommandError) {
        try TaskFieldRules.validate(
            key: task.key, title: task.title, group: task.group, phase: task.phase, owner: task.owner,
            estimateMinutes: task.estimateMinutes, kind: task.kind, step: task.step, field: "")
        guard self[task.key] == nil else {
            throw CommandError(.conflict, "a task \(task.key) exists", rule: "tasks.unique_key", fields: ["key": "taken"])
        }
        guard tasks.count < JobPlan.maximumTasks else {
            throw CommandError(.conflict, "a work plan has at most \(JobPlan.maximumTasks) tasks", rule: "job_plans.size")
        }
        try requirePredecessors(task.predecessors, for: task.key, phase: task.phase, keys: Set(tasks.map(\.key)).union([task.key]))
        var copy = tasks
        copy.insert(WorkPlanTask(copying: task), at: min(max(position ?? copy.count, 0), copy.count))
        replaceTasks(copy)
    }

    /// Removes a task nobody has worked on; the tasks that followed it no longer wait for it.
    public mutating func remove(_ key: String) throws(CommandError) {
        let position = try position(of: key)
        let state = tasks[position].state
        guard state == .waiting || state == .ready else {
            throw CommandError(.conflict, "\(key) is \(state.rawValue): skip it with a reason instead", rule: "tasks.has_work")
        }
        var copy = tasks
        copy.remove(at: position)
        for index in copy.indices { copy[index].predecessors.removeAll { $0 == key } }
        replaceTasks(copy)
    }

    /// Moves a task to `position` in the display order (order does not change what waits for what).
    public mutating func move(_ key: String, to position: Int) throws(CommandError) {
        let from = try self.position(of: key)
        var copy = tasks
        let task = copy.remove(at: from)
        copy.insert(task, at: min(max(position, 0), copy.count))
        replaceTasks(copy)
    }

    /// Gives a task to another owner (and assignee: the person, or nil until the group's policy chooses).
    public mutating func reassign(_ key: String, to owner: TaskOwner, assignee: String? = nil) throws(CommandError) {
        let position = try position(of: key)
        try requireOpen(tasks[position])
        try owner.validate(field: "owner")
        if let assignee { try ConfigurationNames.requirePerson(assignee, field: "assignee") }
        update(at: position) { task in
            task.owner = owner
            if case .person(let person) = owner { task.assignee = person } else { task.assignee = assignee }
        }
    }

    /// Replaces what a not-yet-started task waits for.
    public mutating func setPredecessors(_ key: String, _ predecessors: [String]) throws(CommandError) {
        let position = try position(of: key)
        let task = tasks[position]
        guard task.state == .waiting || task.state == .ready else {
            throw CommandError(.conflict, "\(key) is \(task.state.rawValue): its predecessors no longer change", rule: "tasks.has_work")
        }
        try requirePredecessors(predecessors, for: key, phase: task.phase, keys: Set(tasks.map(\.key)))
        var copy = tasks
        copy[position].predecessors = predecessors
        replaceTasks(copy)
    }

    /// Changes a task's estimate (progress and the critical path follow).
    public mutating func setEstimate(_ key: String, minutes: Int) throws(CommandError) {
        let position = try position(of: key)
        try requireOpen(tasks[position])
        try TaskFieldRules.requireEstimate(minutes, field: "estimateMinutes")
        update(at: position) { $0.estimateMinutes = minutes }
    }

    private func requireOpen(_ task: WorkPlanTask) throws(CommandError) {
        guard !task.state.isFinal else {
            throw CommandError(.conflict, "\(task.key) is \(task.state.rawValue): nothing more happens to it", rule: "tasks.final")
        }
    }

    /// Known, distinct, not later in the process, and no cycle once `key` waits for them.
    private func requirePredecessors(
        _ predecessors: [String], for key: String, phase: ReleasePhase, keys: Set<String>
    ) throws(CommandError) {
        try TaskFieldRules.requirePredecessors(predecessors, of: key, among: keys, field: "predecessors")
        for predecessor in predecessors {
            if let before = self[predecessor], before.phase > phase {
                throw CommandError(.validation, "\(key) cannot follow \(predecessor) of the later phase \(before.phase.rawValue)",
                                   rule: "tasks.phase_order", fields: ["predecessors": "later phase"])
            }
        }
        var edges = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.predecessors) })
        edges[key] = predecessors
        try TaskFieldRules.requireAcyclic(edges, field: "predecessors")
    }
}
