import Scripts

/// How a script's ending becomes its test's result: exit status 0 passes; anything else
/// fails, saying what happened in words a person can act on.
enum ScriptVerdict {
    static func result(of step: TestStep, script: String, _ outcome: ProcessOutcome) -> TestResult {
        TestResult(
            step, outcome.succeeded ? .passed : .failed, detail: outcome.summary(of: script), exitStatus: outcome.exitStatus,
            duration: outcome.duration, output: outcome.output, droppedBytes: outcome.droppedBytes)
    }
}
