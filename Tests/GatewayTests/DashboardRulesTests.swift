import Contracts
import GatewayCore
import PlanningCore
import Testing

/// The dashboard's pure rules: reading the list's filters and forms, and the phase timeline.
@Suite("Dashboard: filters, forms, timeline")
struct DashboardRulesTests {
    @Test("known words filter; an unknown, over-long or NUL value is refused by field name, never kept")
    func filters() {
        let fields = FormFields("phase=plan&status=in_progress&priority=high&q=Payroll+7.2&after=REL-000001")
        let filter = DashboardReleaseFilter { fields[$0] }
        #expect(filter.phase == .plan && filter.status == .inProgress && filter.priority == .high)
        #expect(filter.titleContains == "Payroll 7.2" && filter.afterKey == "REL-000001" && filter.refused.isEmpty)
        #expect(filter.keptQuery == "phase=plan&status=in_progress&priority=high&q=Payroll%207.2&")

        let long = String(repeating: "x", count: 300)
        let hostile = FormFields("phase=\(long)&status=%00&priority=%3Cscript%3E&after=%3Cb%3E")
        let refused = DashboardReleaseFilter { hostile[$0] }
        #expect(refused.phase == nil && refused.status == nil && refused.priority == nil && refused.afterKey == nil)
        #expect(refused.refused == ["after", "phase", "priority", "status"])
        #expect(DashboardReleaseFilter { FormFields("phase=&q=")[$0] } == DashboardReleaseFilter { _ in nil })
    }

    @Test("form fields: plus is a space, escapes are UTF-8, a bad escape matches nothing, the first of a name wins")
    func formFields() {
        let fields = FormFields("a=1+2&b=%C3%A9&c=%ZZ&a=again&d")
        #expect(fields["a"] == "1 2" && fields["b"] == "é" && fields["c"] == "\u{FFFD}" && fields["d"] == "")
    }

    @Test("the Gantt chart starts each task after its last predecessor and marks the critical path; no chart for huge plans")
    func gantt() throws {
        func task(_ key: String, _ minutes: Int, after: [String] = []) -> WorkPlanTask {
            WorkPlanTask(copying: JobPlanTask(key: key, title: key, group: "g", phase: .plan, owner: .group("g"), estimateMinutes: minutes, predecessors: after))
        }
        let chart = try #require(WorkPlanGantt(
            tasks: [task("a", 30), task("b", 60, after: ["a"]), task("c", 10, after: ["a"]), task("d", 20, after: ["b", "c"])],
            criticalPath: ["a", "b", "d"]))
        #expect(chart.totalMinutes == 110)
        #expect(chart.bars.map(\.startMinute) == [0, 30, 30, 90] && chart.bars.map(\.critical) == [true, true, false, true])
        #expect(chart.bars.allSatisfy { $0.x >= WorkPlanGantt.labelWidth && $0.x + $0.width <= WorkPlanGantt.labelWidth + WorkPlanGantt.chartWidth + 2 })
        #expect(WorkPlanGantt(tasks: (0...WorkPlanGantt.maxTasks).map { task("t\($0)", 5) }, criticalPath: []) == nil)
    }

    @Test("the timeline marks passed, current and upcoming phases; a final release ended where it stopped")
    func timeline() {
        let marks = PhaseTimeline(phase: .test, status: .inProgress).steps.map(\.mark)
        #expect(marks == [.passed, .passed, .passed, .current, .upcoming, .upcoming, .upcoming, .upcoming])
        #expect(PhaseTimeline(phase: .initiate, status: .rejected).steps.first?.mark == .ended)
        #expect(PhaseTimeline(phase: .unknown("later"), status: .inProgress).steps.allSatisfy { $0.mark == .upcoming })
    }
}
