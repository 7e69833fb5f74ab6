import Foundation

/// One target of a rollout with its attempts, as `shipboard rollout target` prints it: what
/// goes where, where it stands, then each attempt (latest first) with its log indented. A
/// log is the scripts' output: control characters other than newlines and tabs (terminal
/// escapes) are shown as `?`, never sent to the terminal. The input is the API's
/// `RolloutTargetDetail` JSON (only the fields printed are read).
public enum RolloutTargetText {
    public struct Target: Decodable, Sendable {
        public var taskKey, source, target, site, state, action: String
        public var wave, batch, attempts: Int
        public var pool, leaseOwner, detail: String?
        public var waitingForWorker: Bool
    }

    public struct Attempt: Decodable, Sendable {
        public var action, replica, outcome, log: String
        public var attempt: Int
        public var durationMs: Int64?
        public var detail: String?
    }

    public struct Detail: Decodable, Sendable {
        public var target: Target
        public var attempts: [Attempt]
    }

    public static func detail(from json: Data) -> Detail? {
        try? JSONDecoder().decode(Detail.self, from: json)
    }

    public static func render(_ detail: Detail) -> String {
        let t = detail.target
        var lines = [
            "\(t.taskKey): \(t.source) → \(t.target) at \(t.site), wave \(t.wave + 1) (batch \(t.batch + 1))",
            "state \(t.waitingForWorker ? "running, waiting for a worker" : t.state) (\(t.action)), "
                + RolloutPlanSummary.plural(t.attempts, "attempt") + (t.pool.map { "; pool \($0)" } ?? "")
                + (t.leaseOwner.map { "; on \($0)" } ?? ""),
        ].map(CellText.oneLine)
        if let detail = t.detail { lines.append(CellText.oneLine(detail)) }
        for attempt in detail.attempts {
            let took = attempt.durationMs.map { " in " + String(format: "%.1fs", Double($0) / 1000) } ?? ""
            lines.append(CellText.oneLine(
                "attempt \(attempt.attempt) \(attempt.action) on \(attempt.replica): \(attempt.outcome)\(took)"
                    + (attempt.detail.map { ": \($0)" } ?? "")))
            lines += safe(attempt.log).split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map { "  | \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` with every control character but newline and tab as `?`.
    public static func safe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar == "\n" || scalar == "\t" || !(scalar.properties.generalCategory == .control) ? scalar : "?"
        }))
    }
}
