import Contracts
import PlanningCore

/// The work plan as a Gantt chart's bars: each task at its planned time
/// (``WorkPlanProgress/plannedFinishMinutes(of:)``, the rule behind the late tasks); the
/// critical path's tasks are marked. Positions are in SVG units; only numbers and the tasks'
/// own keys reach the drawing. Drawn for plans of at most ``maxTasks`` tasks (a larger chart
/// is unreadable; the table shows every task).
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
        let finishes = WorkPlanProgress.plannedFinishMinutes(of: tasks)
        let total = max(1, finishes.max() ?? 1)
        let critical = Set(criticalPath)
        bars = tasks.indices.map { position in
            let start = finishes[position] - tasks[position].estimateMinutes
            return Bar(
                key: tasks[position].key, startMinute: start, finishMinute: finishes[position],
                critical: critical.contains(tasks[position].key),
                x: Self.labelWidth + start * Self.chartWidth / total, y: 5 + position * Self.rowHeight,
                width: max(2, (finishes[position] - start) * Self.chartWidth / total))
        }
        totalMinutes = total
    }
}
