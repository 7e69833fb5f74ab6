// shipboard-testing's test runs: planning's `testing.run_tests` (see StepCommands.swift) or a
// person's request runs the test plan of the release's latest built image; each test's
// outcome is recorded and `test.completed` says how the run ended.

/// How one test, or a whole run, ended.
public enum TestOutcome: ContractEnum {
    case passed, failed
    case unknown(String)

    public static let allCases: [TestOutcome] = [.passed, .failed]

    public var rawValue: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// `testing.request_test_run`: run the tests of the release's latest built image now.
public struct RequestTestRun: CommandContract, Equatable {
    public static let messageType = "testing.request_test_run"
    public typealias Result = TestRunRequested

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// The run was queued: `taskKey` names it in `test.completed`.
public struct TestRunRequested: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var taskKey: String

    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// `test.completed`: a run of an image's test plan ended. `runId` names it for acceptance.
public struct TestRunCompleted: EventContract, Equatable {
    public static let messageType = "test.completed"

    public var releaseKey: String
    public var taskKey: String
    public var runId: Int64
    public var imageSha256: String
    public var outcome: TestOutcome
    public var passed: Int
    public var failed: Int
    /// The failed tests' names (at most 20), for a person deciding what to do.
    public var failedTests: [String]

    public init(
        releaseKey: String, taskKey: String, runId: Int64, imageSha256: String, outcome: TestOutcome, passed: Int, failed: Int,
        failedTests: [String]
    ) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.runId = runId
        self.imageSha256 = imageSha256
        self.outcome = outcome
        self.passed = passed
        self.failed = failed
        self.failedTests = failedTests
    }
}
