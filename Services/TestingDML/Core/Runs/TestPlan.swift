import Contracts
import Images

/// The rules of a test run, as pure functions: which steps an image's plan has, which of
/// them run given how the earlier ones ended, and what the run's outcome is.
///
/// - Nothing from the image runs unless it passed integrity and its manifest passed.
/// - `verify` and the test scripts need a passed install.
/// - A failed install still runs `backout` (it may have changed the target half-way), and
///   `backout-restores` runs whenever `backout` ran.
/// - The run passed only when every step ran and passed.
public struct TestPlan: Sendable, Equatable {
    public let steps: [TestStep]

    /// The plan of the image whose manifest is `manifest` (nil when it has no readable one):
    /// `verify` when it holds `verify.sh`, and each executable file under `tests/` in path order.
    public init(manifest: ImageManifest?) {
        let files = manifest?.files ?? []
        var steps: [TestStep] = [.integrity, .manifest, .install]
        if files.contains(where: { $0.path == TestStep.verifyScript }) { steps.append(.verify) }
        let scripts = files.filter { $0.executable && $0.path.hasPrefix(TestStep.testsFolder) }.compactMap { try? ImagePath($0.path) }
        steps += scripts.sorted().map(TestStep.script)
        steps += [.backout, .backoutRestores]
        self.steps = steps
    }

    /// Why `step` is not run, given the steps before it, or nil when it runs.
    public static func skipReason(_ step: TestStep, after earlier: [TestStep: StepOutcome]) -> String? {
        func needs(_ required: TestStep, _ reason: String) -> String? {
            earlier[required] == .passed ? nil : reason
        }
        switch step {
        case .integrity, .manifest:
            return nil
        case .install:
            return needs(.integrity, "not run: the image failed its integrity check, so none of its scripts are run")
                ?? needs(.manifest, "not run: the image's manifest is invalid, so none of its scripts are run")
        case .verify, .script:
            return needs(.install, "not run: the install did not succeed")
        case .backout:
            return earlier[.install] == .skipped || earlier[.install] == nil ? "not run: nothing was installed" : nil
        case .backoutRestores:
            return earlier[.backout] == .skipped || earlier[.backout] == nil ? "not run: the backout did not run" : nil
        }
    }

    /// The run's outcome and the figures `test.completed` and `testing.tests_finished` carry.
    public static func verdict(_ results: [TestResult]) -> TestRunVerdict {
        let failed = results.filter { $0.outcome == .failed }.map(\.name)
        let skipped = results.filter { $0.outcome == .skipped }.count
        let passed = results.count - failed.count - skipped
        var detail = "\(passed) passed, \(failed.count) failed"
        if !failed.isEmpty { detail += ": " + failed.prefix(TestRunVerdict.maxNamed).joined(separator: ", ") }
        if failed.count > TestRunVerdict.maxNamed { detail += " and \(failed.count - TestRunVerdict.maxNamed) more" }
        if skipped > 0 { detail += "; \(skipped) not run" }
        let outcome: TestOutcome = failed.isEmpty && skipped == 0 && !results.isEmpty ? .passed : .failed
        return TestRunVerdict(
            outcome: outcome, passed: passed, failed: failed.count, failedTests: Array(failed.prefix(TestRunVerdict.maxNamed)),
            detail: detail)
    }
}

/// How a run ended, in the words of its events.
public struct TestRunVerdict: Sendable, Equatable {
    /// The most failed tests named in an event.
    public static let maxNamed = 20

    public var outcome: TestOutcome
    public var passed: Int
    public var failed: Int
    public var failedTests: [String]
    /// "n passed, m failed: names", for planning's task and a person.
    public var detail: String
}
