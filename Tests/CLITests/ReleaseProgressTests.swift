import CLICore
import Testing

@Suite("CLI release progress")
struct ReleaseProgressTests {
    @Test("phases done are those before the current one; all eight once completed")
    func phasesDone() {
        #expect(ReleaseProgress.phasesDone(phase: "initiate", status: "draft") == 0)
        #expect(ReleaseProgress.phasesDone(phase: "test", status: "in_progress") == 3)
        #expect(ReleaseProgress.phasesDone(phase: "review", status: "in_progress") == 7)
        #expect(ReleaseProgress.phasesDone(phase: "review", status: "completed") == 8)
        #expect(ReleaseProgress.phasesDone(phase: "deploy", status: "backed_out") == 6)
        #expect(ReleaseProgress.phasesDone(phase: "a_newer_phase", status: "in_progress") == 0)
    }

    @Test("the bar fills two cells a phase and clamps what it is given")
    func bar() {
        #expect(ReleaseProgress.bar(done: 0, total: 8) == "[----------------]")
        #expect(ReleaseProgress.bar(done: 3, total: 8) == "[######----------]")
        #expect(ReleaseProgress.bar(done: 8, total: 8) == "[################]")
        #expect(ReleaseProgress.bar(done: 12, total: 8) == "[################]")
        #expect(ReleaseProgress.bar(done: -1, total: 8) == "[----------------]")
        #expect(ReleaseProgress.bar(done: 1, total: 3, cells: 10) == "[###-------]")
        #expect(ReleaseProgress.bar(done: 0, total: 0, cells: 4) == "[----]")
    }

    @Test("one status line per event, short enough for 80 columns")
    func statusLine() {
        let line = ReleaseProgress.statusLine(key: "REL-000001", phase: "test", status: "in_progress")
        #expect(line == "REL-000001  test ▸ in_progress  [######----------]  3/8 phases")
        let longest = ReleaseProgress.statusLine(key: "REL-000001", phase: "rollout_plan", status: "pending_approval")
        #expect(longest.count <= 80)
    }

    @Test("terminal statuses are the four the stream ends on")
    func terminal() {
        #expect(["rejected", "cancelled", "backed_out", "completed"].allSatisfy(ReleaseProgress.isTerminal))
        #expect(!["draft", "pending_approval", "in_progress", "on_hold"].contains(where: ReleaseProgress.isTerminal))
    }

    @Test("on a terminal a line is redrawn in place; in a pipe each event is its own line")
    func redraw() {
        let terminal = StatusLineRedraw(isTerminal: true, columns: 20)
        #expect(terminal.frame("REL-000001  plan") == "\r\u{1B}[2KREL-000001  plan")
        #expect(terminal.frame(String(repeating: "x", count: 30)) == "\r\u{1B}[2K" + String(repeating: "x", count: 18) + "…")
        #expect(terminal.finish == "\n")
        let pipe = StatusLineRedraw(isTerminal: false)
        #expect(pipe.frame("REL-000001  plan") == "REL-000001  plan\n")
        #expect(pipe.finish == "")
    }

    @Test("the status line names the tasks in progress and is cut to the width, never the status itself")
    func tasksInTheStatusLine() {
        let plain = ReleaseProgress.statusLine(key: "REL-000001", phase: "build", status: "in_progress")
        #expect(ReleaseProgress.statusLine(key: "REL-000001", phase: "build", status: "in_progress", inProgress: []) == plain)
        let doing = ReleaseProgress.statusLine(
            key: "REL-000001", phase: "build", status: "in_progress", inProgress: ["compile", "notes"], width: 120)
        #expect(doing == plain + "  doing: compile, notes")
        let many = ReleaseProgress.statusLine(
            key: "REL-000001", phase: "build", status: "in_progress", inProgress: (1...30).map { "task-\($0)" }, width: 100)
        #expect(many.count == 100 && many.hasPrefix(plain + "  doing: task-1, ") && many.hasSuffix("…"))
        let narrow = ReleaseProgress.statusLine(key: "REL-000001", phase: "build", status: "in_progress", inProgress: ["compile"], width: 20)
        #expect(narrow == plain, "a width narrower than the status keeps the status whole and drops the tasks")
    }
}
