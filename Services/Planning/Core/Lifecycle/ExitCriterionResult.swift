/// How a failing exit criterion is treated when a release leaves a phase.
public enum ExitCriterionSeverity: String, Codable, Sendable, CaseIterable {
    /// Reported, but the release may still advance.
    case warning
    /// Blocks the advance.
    case error
}

/// The evaluated result of one exit criterion of the current phase, e.g. "all tasks done".
///
/// The caller evaluates criteria (it owns tasks and their states) with the severity
/// configured for the phase; `ReleaseLifecycle` only decides what the results allow.
public struct ExitCriterionResult: Codable, Sendable, Equatable {
    /// A stable name, e.g. `tasks_done`; used as the field name in a refusal.
    public var name: String
    public var severity: ExitCriterionSeverity
    public var passed: Bool
    /// Why it failed, for the user, e.g. "3 tasks are not done or skipped".
    public var detail: String?

    public init(name: String, severity: ExitCriterionSeverity, passed: Bool, detail: String? = nil) {
        self.name = name
        self.severity = severity
        self.passed = passed
        self.detail = detail
    }
}
