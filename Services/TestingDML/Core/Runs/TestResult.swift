/// How one step of a run ended: run and passed, run and failed, or not run (with why).
public enum StepOutcome: String, Sendable, Equatable {
    case passed, failed, skipped
}

/// One recorded test of a run: `<schema>.test_results`.
public struct TestResult: Sendable, Equatable {
    /// The most of `detail` kept (the column's bound).
    public static let maxDetail = 2000

    public var step: TestStep
    public var outcome: StepOutcome
    /// The script's exit status, when a script ran and exited.
    public var exitStatus: Int32?
    public var duration: Duration
    /// What happened, for a person deciding what to fix.
    public var detail: String
    /// The script's output, at most the run's output limit.
    public var output: String
    /// Output bytes beyond the limit, counted and not kept.
    public var droppedBytes: Int

    public init(
        _ step: TestStep, _ outcome: StepOutcome, detail: String, exitStatus: Int32? = nil, duration: Duration = .zero,
        output: String = "", droppedBytes: Int = 0
    ) {
        self.step = step
        self.outcome = outcome
        self.exitStatus = exitStatus
        self.duration = duration
        // The column counts code points, not the grapheme clusters `prefix` would.
        self.detail = String(String.UnicodeScalarView(detail.unicodeScalars.prefix(Self.maxDetail)))
        self.output = output
        self.droppedBytes = droppedBytes
    }

    public var name: String { step.name }
}
