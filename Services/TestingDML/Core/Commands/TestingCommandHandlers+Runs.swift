import Contracts
import Foundation
import Images
import Messaging

/// Test runs: `testing.run_tests` (planning's automated test task, or a person's request
/// forwarded through the outbox) tests the release's latest built image; the run and each
/// test are recorded, then `test.completed` and `testing.tests_finished` are published.
///
/// - The run executes inside the handler's transaction (as a build does): a crash mid-run
///   commits nothing, the command is redelivered and the run starts again in a new sandbox;
///   the abandoned one is swept at the next start (``sweepAbandonedSandboxes()``).
/// - A release with no built image gets no run row, only a failed `testing.tests_finished`
///   saying what to do.
extension TestingCommandHandlers {
    /// A sandbox untouched this long at start-up belongs to a run that died (a live run
    /// touches its sandbox at every step, and no step outlives the process timeout).
    public var abandonedSandboxAge: Duration { max(.seconds(3600), limits.timeout * 2) }

    func registerRuns(into handlers: inout MessageHandlers) {
        handlers.onCommand(RunTests.self) { envelope, context in try await runTests(envelope, context) }
        handlers.onCommand(RequestTestRun.self) { envelope, context in try await requestTestRun(envelope, context) }
    }

    /// Removes what runs killed mid-way left under the work root; returns how many sandboxes went.
    @discardableResult
    public func sweepAbandonedSandboxes() -> Int {
        Sandbox.sweep(workRoot: settings.workRoot, olderThan: abandonedSandboxAge)
    }

    /// A person's request: answered at once with the run's task key; the run itself is a
    /// `testing.run_tests` to this service, sent through the outbox with the answer.
    func requestTestRun(_ envelope: Envelope<RequestTestRun>, _ context: HandlerContext) async throws -> TestRunRequested {
        let releaseKey = envelope.payload.releaseKey
        try TestRunKeys.checkReleaseKey(releaseKey)
        let taskKey = TestRunKeys.manualTaskKey()
        try await context.send(RunTests(releaseKey: releaseKey, taskKey: taskKey), correlationId: releaseKey)
        return TestRunRequested(releaseKey: releaseKey, taskKey: taskKey)
    }

    func runTests(_ envelope: Envelope<RunTests>, _ context: HandlerContext) async throws -> Acknowledged {
        let command = envelope.payload
        try TestRunKeys.check(command)
        let records = TestRunRecords(schema: schema, buildSchema: buildSchema)
        guard let image = try await records.latestBuild(of: command.releaseKey, in: context.transaction) else {
            try await noRun(command, "\(command.releaseKey) has no built image: build it (shipboard image build) and run the tests again", context)
            return Acknowledged()
        }
        guard let digest = ImageDigest(image.sha256), let archive = try? DirectoryImageStore(root: settings.imageStore).path(of: digest) else {
            try await noRun(command, "the image built for \(command.releaseKey) (sha256:\(image.sha256)) is not in the image store: build it again", context)
            return Acknowledged()
        }
        let run = UUID(), started = Date()
        let results = await TestRunner(workRoot: settings.workRoot, limits: limits).run(image, archive: archive, run: run)
        let verdict = TestPlan.verdict(results)
        let runId = try await records.record(
            run: run, image: image, taskKey: command.taskKey, requestedBy: envelope.actor, startedAt: started, results: results,
            verdict: verdict, in: context.transaction)
        try await context.publish([
            TestRunCompleted(
                releaseKey: command.releaseKey, taskKey: command.taskKey, runId: runId, imageSha256: image.sha256,
                outcome: verdict.outcome, passed: verdict.passed, failed: verdict.failed, failedTests: verdict.failedTests),
            TestsFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: verdict.outcome == .passed, detail: verdict.detail),
        ], correlationId: command.releaseKey)
        return Acknowledged()
    }

    /// No run can start: planning's task fails with `reason`, and nothing is recorded.
    private func noRun(_ command: RunTests, _ reason: String, _ context: HandlerContext) async throws {
        try await context.publish(
            TestsFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: false, detail: reason),
            correlationId: command.releaseKey)
    }
}
