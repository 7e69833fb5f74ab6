import CLICore
import Testing

@Suite("Gantt chart and durations")
struct GanttChartTests {
    @Test("bars start when the last predecessor is planned to finish, are as long as the estimate, and fit 80 columns")
    func placement() {
        // a(60) then b(120) and c(60) side by side, then d(60): a span of 240 minutes.
        let chart = GanttChart.render([
            .init(key: "a", predecessors: [], minutes: 60, state: "done"),
            .init(key: "b", predecessors: ["a"], minutes: 120, state: "in_progress"),
            .init(key: "c", predecessors: ["a"], minutes: 60, state: "skipped"),
            .init(key: "d", predecessors: ["b", "c"], minutes: 60, state: "ready"),
        ], width: 80)
        let lines = chart.split(separator: "\n").map(String.init)
        #expect(lines.count == 5 && lines.allSatisfy { $0.count <= 80 })
        // 59 columns for bars over 240 minutes: a at 0 for 15, b at 14 for 30, c at 14 for 15, d at 44 for 15.
        #expect(lines[0] == "a".padding(toLength: 20, withPad: " ", startingAt: 0) + String(repeating: "█", count: 15))
        #expect(lines[1] == "b".padding(toLength: 20, withPad: " ", startingAt: 0) + String(repeating: " ", count: 14) + String(repeating: "▓", count: 30))
        #expect(lines[2].hasSuffix(String(repeating: " ", count: 14) + String(repeating: "·", count: 15)))
        #expect(lines[3].hasSuffix(String(repeating: " ", count: 44) + String(repeating: "░", count: 15)))
        #expect(lines[4].hasPrefix("span 4 h;"))
    }

    @Test("an empty plan, a long key, a zero estimate and a failed task still draw within the width")
    func edges() {
        #expect(GanttChart.render([]) == "no tasks\n")
        let chart = GanttChart.render([
            .init(key: String(repeating: "k", count: 60), predecessors: [], minutes: 0, state: "failed"),
            .init(key: "next", predecessors: ["missing"], minutes: 30, state: "waiting"),
        ])
        let lines = chart.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines[0].hasPrefix(String(repeating: "k", count: 18) + "…") && lines[0].hasSuffix("!"))
    }

    @Test("durations read as minutes, hours and days")
    func durations() {
        #expect(DurationText.minutes(45) == "45 min")
        #expect(DurationText.minutes(200) == "3 h 20 min")
        #expect(DurationText.minutes(120) == "2 h")
        #expect(DurationText.minutes(3_120) == "2 d 4 h")
        #expect(DurationText.minutes(2_880) == "2 d")
    }
}
