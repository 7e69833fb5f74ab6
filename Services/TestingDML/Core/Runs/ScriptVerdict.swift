/// How a script's ending becomes its test's result: exit status 0 passes; anything else
/// fails, saying what happened in words a person can act on.
enum ScriptVerdict {
    static func result(of step: TestStep, script: String, _ outcome: ProcessOutcome) -> TestResult {
        var detail: String
        let passed: Bool
        switch outcome.ending {
        case .exited(0):
            passed = true
            detail = "\(script) exited with status 0"
        case .exited(let status):
            passed = false
            detail = "\(script) exited with status \(status): see its output"
        case .signaled(let signal):
            passed = false
            detail = "\(script) was ended by signal \(signal)"
        case .timedOut(let limit):
            passed = false
            detail = "\(script) timed out after \(limit.components.seconds) s: it and every process it started were killed"
        }
        if outcome.droppedBytes > 0 {
            detail += " (output cut at \(outcome.output.utf8.count) bytes: \(outcome.droppedBytes) more bytes were dropped)"
        }
        return TestResult(
            step, passed ? .passed : .failed, detail: detail, exitStatus: outcome.exitStatus, duration: outcome.duration,
            output: outcome.output, droppedBytes: outcome.droppedBytes)
    }
}
