import Contracts
import Foundation

/// How far a work plan has come: per phase and overall, the critical path of the work that
/// remains, the expected finish, and the tasks late against the release's schedule.
///
/// Durations are calendar minutes (no working hours or holidays yet). Everything is one
/// pass over the tasks in dependency order, on positions rather than keys, so that a
/// 10,000-task plan is measured in milliseconds.
public struct WorkPlanProgress: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        /// Tasks that count (cancelled ones do not).
        public var total = 0
        /// Done or skipped.
        public var finished = 0
        public var inProgress = 0
        public var percent: Double { total == 0 ? 100 : Double(finished) * 100 / Double(total) }
    }

    public var phases: [ReleasePhase: Share]
    public var overall: Share
    /// The chain of unfinished tasks whose remaining estimates add up to the most.
    public var criticalPath: [String]
    public var remainingMinutes: Int
    public var expectedFinish: Date
    /// Unfinished tasks whose planned finish (from the scheduled start, with every task
    /// taking its estimate after its predecessors) has passed; empty without a schedule.
    public var lateTasks: [String]

    public init(of plan: WorkPlan, now: Date, scheduledStart: Date?) {
        let tasks = plan.tasks
        let order = Self.dependencyOrder(tasks)
        let index = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, $0) })
        var phases: [ReleasePhase: Share] = [:]
        var overall = Share()
        // Longest remaining chain ending at each task, and where it came from.
        var remaining = [Int](repeating: 0, count: tasks.count)
        var cameFrom = [Int](repeating: -1, count: tasks.count)
        for position in order {
            let task = tasks[position]
            if task.state != .cancelled {
                phases[task.phase, default: Share()].add(task.state)
                overall.add(task.state)
            }
            var longest = 0, from = -1
            for key in task.predecessors {
                guard let before = index[key] else { continue }
                if remaining[before] > longest { longest = remaining[before]; from = before }
            }
            remaining[position] = longest + Self.remainingMinutes(of: task, now: now)
            cameFrom[position] = from
        }
        // The chain ends at the task with the most remaining work behind it (none: no path).
        var end = -1
        for position in tasks.indices where remaining[position] > (end == -1 ? 0 : remaining[end]) { end = position }
        var path: [String] = []
        var step = end
        while step != -1 {
            if Self.remainingMinutes(of: tasks[step], now: now) > 0 { path.append(tasks[step].key) }
            step = cameFrom[step]
        }
        self.phases = phases
        self.overall = overall
        self.criticalPath = path.reversed()
        self.remainingMinutes = end == -1 ? 0 : remaining[end]
        self.expectedFinish = now.addingTimeInterval(Double(remainingMinutes) * 60)
        if let scheduledStart {
            let plannedFinish = Self.plannedFinishMinutes(of: tasks, order: order, index: index)
            lateTasks = tasks.indices.filter { position in
                !tasks[position].state.isFinal
                    && scheduledStart.addingTimeInterval(Double(plannedFinish[position]) * 60) < now
            }.map { tasks[$0].key }
        } else {
            lateTasks = []
        }
    }

    /// Each task's planned finish, in minutes after the plan's start: a task starts when its
    /// last predecessor finishes (at 0 without one) and takes its estimate. The rule behind
    /// ``lateTasks``; the dashboard's Gantt chart draws it.
    public static func plannedFinishMinutes(of tasks: [WorkPlanTask]) -> [Int] {
        plannedFinishMinutes(
            of: tasks, order: dependencyOrder(tasks), index: Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, $0) }))
    }

    static func plannedFinishMinutes(of tasks: [WorkPlanTask], order: [Int], index: [String: Int]) -> [Int] {
        var finish = [Int](repeating: 0, count: tasks.count)
        for position in order {
            var start = 0
            for key in tasks[position].predecessors { if let before = index[key] { start = max(start, finish[before]) } }
            finish[position] = start + tasks[position].estimateMinutes
        }
        return finish
    }

    /// Minutes of work left in a task: all of its estimate until it starts, what the
    /// estimate leaves after the time spent while in progress, none once finished.
    static func remainingMinutes(of task: WorkPlanTask, now: Date) -> Int {
        switch task.state {
        case .done, .skipped, .cancelled: return 0
        case .inProgress:
            let spent = task.startedAt.map { Int(now.timeIntervalSince($0) / 60) } ?? 0
            return max(0, task.estimateMinutes - spent)
        default: return task.estimateMinutes
        }
    }

    /// Positions in an order where every task comes after its predecessors (Kahn; the plan
    /// holds no cycle, so every task is placed).
    static func dependencyOrder(_ tasks: [WorkPlanTask]) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, $0) })
        var waitingOn = [Int](repeating: 0, count: tasks.count)
        var successors = [[Int]](repeating: [], count: tasks.count)
        for (position, task) in tasks.enumerated() {
            for key in task.predecessors {
                guard let before = index[key] else { continue }
                waitingOn[position] += 1
                successors[before].append(position)
            }
        }
        var order = tasks.indices.filter { waitingOn[$0] == 0 }
        var head = 0
        while head < order.count {
            for next in successors[order[head]] {
                waitingOn[next] -= 1
                if waitingOn[next] == 0 { order.append(next) }
            }
            head += 1
        }
        return order
    }
}

extension WorkPlanProgress.Share {
    mutating func add(_ state: TaskState) {
        total += 1
        if state.releasesSuccessors { finished += 1 }
        if state == .inProgress { inProgress += 1 }
    }
}
