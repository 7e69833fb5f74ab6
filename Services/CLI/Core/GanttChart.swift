/// A work plan as a text Gantt chart for an 80-column terminal: one line per task, its bar
/// placed where the plan puts it (every task starts when its last predecessor is planned to
/// finish, and takes its estimate), drawn by state: `█` done, `▓` in progress, `░` to do,
/// `!` failed, `·` skipped or cancelled.
public enum GanttChart {
    public struct Task: Sendable, Equatable {
        public let key: String
        public let predecessors: [String]
        public let minutes: Int
        public let state: String

        public init(key: String, predecessors: [String], minutes: Int, state: String) {
            self.key = key
            self.predecessors = predecessors
            self.minutes = minutes
            self.state = state
        }
    }

    static let labelWidth = 20

    /// The chart, each line ending in a newline, then a line with the planned span.
    public static func render(_ tasks: [Task], width: Int = TextTable.standardWidth) -> String {
        guard !tasks.isEmpty else { return "no tasks\n" }
        let starts = plannedStarts(tasks)
        let span = max(1, tasks.map { starts[$0.key, default: 0] + $0.minutes }.max() ?? 1)
        let barWidth = max(10, width - labelWidth - 1)
        var text = ""
        for task in tasks {
            let start = starts[task.key, default: 0]
            let from = min(barWidth - 1, start * barWidth / span)
            let length = max(1, min(barWidth - from, (task.minutes * barWidth + span - 1) / span))
            let label = CellText.truncate(task.key, to: labelWidth - 1).padding(toLength: labelWidth)
            let bar = String(repeating: " ", count: from) + String(repeating: symbol(task.state), count: length)
            text += label + bar + "\n"
        }
        return text + "span \(DurationText.minutes(span)); █ done  ▓ in progress  ░ to do  ! failed  · skipped\n"
    }

    /// Minutes after the start at which each task is planned to begin (Kahn's order; a task
    /// whose predecessors cannot be ordered, which the server never sends, starts at 0).
    static func plannedStarts(_ tasks: [Task]) -> [String: Int] {
        let byKey = Dictionary(tasks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var waiting = Dictionary(uniqueKeysWithValues: byKey.map { ($0.key, $0.value.predecessors.filter { byKey[$0] != nil }.count) })
        var successors: [String: [String]] = [:]
        for task in byKey.values { for before in task.predecessors where byKey[before] != nil { successors[before, default: []].append(task.key) } }
        var queue = tasks.map(\.key).filter { waiting[$0] == 0 }
        var starts: [String: Int] = [:]
        var head = 0
        while head < queue.count {
            let key = queue[head]
            head += 1
            let finish = starts[key, default: 0] + (byKey[key]?.minutes ?? 0)
            for next in successors[key] ?? [] {
                starts[next] = max(starts[next, default: 0], finish)
                waiting[next, default: 1] -= 1
                if waiting[next] == 0 { queue.append(next) }
            }
        }
        return starts
    }

    static func symbol(_ state: String) -> String {
        switch state {
        case "done": "█"
        case "in_progress": "▓"
        case "failed": "!"
        case "skipped", "cancelled": "·"
        default: "░"
        }
    }
}

/// Durations in minutes as people read them: `45 min`, `3 h 20 min`, `2 d 4 h`.
public enum DurationText {
    public static func minutes(_ total: Int) -> String {
        let days = total / 1_440, hours = (total % 1_440) / 60, minutes = total % 60
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        return "\(minutes) min"
    }
}
