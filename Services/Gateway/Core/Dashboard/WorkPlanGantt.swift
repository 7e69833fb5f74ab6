import Contracts
import PlanningCore

/// The work plan as a Gantt chart's bars: each task starts when its last predecessor
/// finishes (the plan's start for a task without one) and lasts its estimate, the same
/// planning rule as ``WorkPlanProgress``'s late tasks; the critical path's tasks are marked.
/// Positions are in SVG units; only numbers and the tasks' own keys reach the drawing.
/// Drawn for plans of at most ``maxTasks`` tasks (a larger chart is unreadable; the table
/// shows every task), which also bounds the recursion over predecessors.
public struct WorkPlanGantt: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        public let key: String
        public let startMinute: Int
        public let finishMinute: Int
        public let critical: Bool
        public let x: Int, y: Int, width: Int
    }

    public static let maxTasks = 200
    public static let labelWidth = 170, chartWidth = 600, rowHeight = 22

    public let bars: [Bar]
    public let totalMinutes: Int
    public var width: Int { Self.labelWidth + Self.chartWidth + 10 }
    public var height: Int { bars.count * Self.rowHeight + 10 }

    /// Nil for an empty plan or one over ``maxTasks``.
    public init?(tasks: [WorkPlanTask], criticalPath: [String]) {
        guard !tasks.isEmpty, tasks.count <= Self.maxTasks else { return nil }
        let index = Dictionary(tasks.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        var finish = [Int?](repeating: nil, count: tasks.count)
        var visiting = Set<Int>()
        func finishOf(_ position: Int) -> Int {
            if let known = finish[position] { return known }
            guard visiting.insert(position).inserted else { return 0 }  // a cycle cannot be stored; never loop on one
            let start = tasks[position].predecessors.compactMap { index[$0] }.map(finishOf).max() ?? 0
            finish[position] = start + max(0, tasks[position].estimateMinutes)
            return finish[position]!
        }
        let finishes = tasks.indices.map(finishOf)
        let total = max(1, finishes.max() ?? 1)
        let critical = Set(criticalPath)
        bars = tasks.indices.map { position in
            let start = finishes[position] - max(0, tasks[position].estimateMinutes)
            return Bar(
                key: tasks[position].key, startMinute: start, finishMinute: finishes[position],
                critical: critical.contains(tasks[position].key),
                x: Self.labelWidth + start * Self.chartWidth / total, y: 5 + position * Self.rowHeight,
                width: max(2, (finishes[position] - start) * Self.chartWidth / total))
        }
        totalMinutes = total
    }
}
