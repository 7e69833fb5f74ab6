/// How log lines are written: `plain` for people at a terminal, `json` (one object per line)
/// for log collectors.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's stream format: `2026-11-26T18:24:00+0000 info label: key=value message`.
    case plain
    /// One JSON object per line; see ``JSONLogHandler``.
    case json
}
