/// Where a release stands in its eight phases, as `release watch` and `release show` draw it:
/// `REL-000001  plan ▸ in_progress  [##--------------]  1/8 phases`.
///
/// Phases and statuses are the API's wire names (strings), so this file needs no generated
/// type and the tests need no generated module.
public enum ReleaseProgress {
    /// The lifecycle's phases in order (the `Phase` enum of openapi.json).
    public static let phases = ["initiate", "plan", "build", "test", "rollout_plan", "prepare", "deploy", "review"]
    /// Statuses a release never leaves; the event stream ends on them.
    public static let terminalStatuses: Set<String> = ["rejected", "cancelled", "backed_out", "completed"]
    /// Two cells per phase: wide enough to see, short enough to leave the line room.
    public static let barCells = 16

    public static func isTerminal(status: String) -> Bool {
        terminalStatuses.contains(status)
    }

    /// Phases done: those before the current one; all eight once the release is completed
    /// (a rejected or cancelled release keeps the count it stopped at). An unknown phase
    /// (a newer server) counts none rather than guessing.
    public static func phasesDone(phase: String, status: String) -> Int {
        if status == "completed" { return phases.count }
        return phases.firstIndex(of: phase) ?? 0
    }

    /// `[####------------]`: `done` of `total` as filled cells, rounded down, clamped.
    public static func bar(done: Int, total: Int, cells: Int = barCells) -> String {
        let clamped = min(max(done, 0), max(total, 0))
        let filled = total > 0 ? clamped * cells / total : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "]"
    }

    /// `plan ▸ in_progress  [##--------------]  1/8 phases`, as `release show` prints it.
    public static func summary(phase: String, status: String) -> String {
        let done = phasesDone(phase: phase, status: status)
        return "\(phase) ▸ \(status)  \(bar(done: done, total: phases.count))  \(done)/\(phases.count) phases"
    }

    /// The one status line per event; with the tasks in progress when the release has a
    /// work plan (`doing: a, b`, cut to fit `width` with `…`).
    public static func statusLine(key: String, phase: String, status: String, inProgress: [String] = [], width: Int = 80) -> String {
        let line = "\(key)  \(summary(phase: phase, status: status))"
        // The status comes first: tasks only in the room left after it.
        guard !inProgress.isEmpty, width >= line.count + 12 else { return line }
        return CellText.truncate(line + "  doing: " + inProgress.joined(separator: ", "), to: width)
    }
}

/// How a status line is redrawn: on a terminal the cursor goes back to the line's start and
/// the line is cleared (one line that changes in place); elsewhere (a pipe, a log file) each
/// line is a new line, so nothing is lost and no control characters land in the file.
public struct StatusLineRedraw: Sendable {
    public let isTerminal: Bool
    /// The terminal's columns: a longer line would wrap, and `\r` would then redraw only the
    /// wrapped tail.
    public let columns: Int

    public init(isTerminal: Bool, columns: Int = TextTable.standardWidth) {
        self.isTerminal = isTerminal
        self.columns = max(columns, 10)
    }

    /// The bytes to write for `line`.
    public func frame(_ line: String) -> String {
        isTerminal ? "\r\u{1B}[2K" + CellText.truncate(line, to: columns - 1) : line + "\n"
    }

    /// What ends the redrawn line before anything else is printed.
    public var finish: String {
        isTerminal ? "\n" : ""
    }
}
