import Contracts
import Foundation
import Images
import Testing
import TestingCore

/// testing.run_tests and testing.request_test_run against the real PostgreSQL and RabbitMQ:
/// each image's run is recorded test by test, and its events are in the outbox.
@Suite("Test runs: handlers over the real servers")
struct TestRunHandlerTests {
    static let passingNames = ["integrity", "manifest", "install", "verify", "tests/10-config.sh", "backout", "backout-restores"]

    static func release() -> String { "REL-\(Int.random(in: 100_000...999_999))" }

    @Test("a good image passes every test; test.completed and testing.tests_finished say so; a resent command runs nothing twice")
    func passingImage() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let built = try await harness.built(TestRunImages.passing, releaseKey: release)
            let command = Envelope(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release, actor: "planning")
            _ = try await harness.requests.send(command, timeout: .seconds(60))
            let tests = try await harness.recordedTests(release)
            #expect(tests.map(\.name) == Self.passingNames)
            #expect(tests.allSatisfy { $0.outcome == "passed" }, "\(tests)")
            #expect(tests.first { $0.name == "install" }?.output == "installed\n")
            #expect(tests.first { $0.name == "install" }?.exitStatus == 0)
            let completed = try #require(try await harness.outbox(TestRunCompleted.self, release).first)
            #expect(completed.outcome == .passed && completed.passed == 7 && completed.failed == 0 && completed.imageSha256 == built.sha256)
            #expect(completed.taskKey == "test-image" && completed.runId > 0)
            let finished = try await harness.outbox(TestsFinished.self, release)
            #expect(finished == [TestsFinished(releaseKey: release, taskKey: "test-image", succeeded: true, detail: "7 passed, 0 failed")])
            // The sandbox is gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: harness.workRoot).isEmpty)
            // The same envelope again (a redelivery): the stored answer, no second run.
            _ = try await harness.requests.send(command, timeout: .seconds(60))
            #expect(try await harness.runCount(release) == 1)
            #expect(try await harness.outbox(TestsFinished.self, release).count == 1)
        }
    }

    /// Images with one thing wrong, and which tests must fail (or not run) because of it.
    static let failingImages: [(name: String, changes: [String: String?], failed: [String], skipped: [String])] = [
        ("failing verify", ["verify.sh": "#!/bin/sh\necho 'app.conf has no port' >&2\nexit 3\n"], ["verify"], []),
        ("backout leaves a file", ["backout.sh": "#!/bin/sh\nrm -f \"$SHIPBOARD_TARGET_ROOT/opt/app/app.conf\"\n"], ["backout-restores"], []),
        ("failing test script", ["tests/10-config.sh": "#!/bin/sh\necho 'threads missing'\nexit 1\n"], ["tests/10-config.sh"], []),
        ("failing install", ["install.sh": "#!/bin/sh\nmkdir \"$SHIPBOARD_TARGET_ROOT/opt\"\nexit 1\n"], ["install"], ["verify", "tests/10-config.sh"]),
    ]

    @Test("an image with one fault fails the tests it should, runs backout after a failed install, and fails the task naming them",
          arguments: failingImages.indices)
    func failingImage(_ index: Int) async throws {
        let image = Self.failingImages[index]
        try await TestRunHarness.run { harness in
            let release = Self.release()
            try await harness.built(TestRunImages.variant(image.changes), releaseKey: release)
            _ = try await harness.send(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release)
            let tests = try await harness.recordedTests(release)
            #expect(tests.map(\.name) == Self.passingNames, "\(image.name)")
            #expect(tests.filter { $0.outcome == "failed" }.map(\.name) == image.failed, "\(image.name): \(tests)")
            #expect(tests.filter { $0.outcome == "skipped" }.map(\.name) == image.skipped, "\(image.name)")
            let finished = try #require(try await harness.outbox(TestsFinished.self, release).first)
            #expect(!finished.succeeded && finished.detail?.contains("failed: " + image.failed.joined(separator: ", ")) == true,
                    "\(image.name): \(finished.detail ?? "")")
            let completed = try #require(try await harness.outbox(TestRunCompleted.self, release).first)
            #expect(completed.outcome == .failed && completed.failedTests == image.failed)
            if image.name == "failing verify" {
                let verify = try #require(tests.first { $0.name == "verify" })
                #expect(verify.exitStatus == 3 && verify.output == "app.conf has no port\n")
                #expect(verify.detail == "verify.sh exited with status 3: see its output")
            }
            if image.name == "backout leaves a file" {
                #expect(tests.last?.detail.hasPrefix("backout.sh left the target root changed") == true)
            }
        }
    }

    @Test("a hanging test script is killed at the timeout and recorded as timed out; the rest of the plan still runs")
    func hangingScript() async throws {
        try await TestRunHarness.run(limits: .init(timeout: .seconds(1), outputBytes: 4096)) { harness in
            let release = Self.release()
            try await harness.built(TestRunImages.variant(["tests/10-config.sh": "#!/bin/sh\necho waiting\nsleep 30\n"]), releaseKey: release)
            _ = try await harness.send(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release)
            let tests = try await harness.recordedTests(release)
            let hanging = try #require(tests.first { $0.name == "tests/10-config.sh" })
            #expect(hanging.outcome == "failed" && hanging.exitStatus == nil && hanging.output == "waiting\n")
            #expect(hanging.detail == "tests/10-config.sh timed out after 1 s: it and every process it started were killed")
            #expect(tests.filter { $0.outcome == "failed" }.map(\.name) == ["tests/10-config.sh"])
            #expect(tests.last?.name == "backout-restores" && tests.last?.outcome == "passed")
        }
    }

    @Test("an archive changed in the store fails integrity, and none of its scripts run")
    func tamperedArchive() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let built = try await harness.built(TestRunImages.passing, releaseKey: release)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: built.path)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: built.path))
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: built.path))
            _ = try await harness.send(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release)
            let tests = try await harness.recordedTests(release)
            #expect(tests.first?.outcome == "failed" && tests.first?.detail.contains("not \(built.sha256) as built") == true, "\(tests)")
            #expect(tests.dropFirst(2).allSatisfy { $0.outcome == "skipped" }, "\(tests)")
            #expect(try await harness.outbox(TestsFinished.self, release).first?.succeeded == false)
        }
    }

    @Test("a release with no built image: no run is recorded, and the task fails saying to build it")
    func noBuiltImage() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            _ = try await harness.send(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release)
            #expect(try await harness.runCount(release) == 0)
            #expect(try await harness.outbox(TestsFinished.self, release) == [TestsFinished(
                releaseKey: release, taskKey: "test-image", succeeded: false,
                detail: "\(release) has no built image: build it (shipboard image build) and run the tests again")])
            #expect(try await harness.outbox(TestRunCompleted.self, release).isEmpty)
        }
    }

    @Test("a person's request is answered at once with a manual task key, and the run is sent to this service through the outbox; a hostile key is refused")
    func requestedRun() async throws {
        try await TestRunHarness.run { harness in
            let release = Self.release()
            let requested = try await harness.send(RequestTestRun(releaseKey: release), correlationId: release, as: "tess")
            #expect(requested.releaseKey == release && requested.taskKey.hasPrefix("manual-"))
            #expect(try await harness.outbox(RunTests.self, release) == [RunTests(releaseKey: release, taskKey: requested.taskKey)])
            for hostile in [String(repeating: "R", count: 300), "REL-1\u{0}"] {
                do {
                    _ = try await harness.send(RequestTestRun(releaseKey: hostile), correlationId: "hostile", as: "tess")
                    Issue.record("a hostile release key was accepted")
                } catch let refusal as CommandError {
                    #expect(refusal.kind == .validation && refusal.rule == "testing.release_key")
                }
            }
            // planning's command with a hostile task key: refused, nothing recorded or published.
            do {
                _ = try await harness.send(RunTests(releaseKey: release, taskKey: "task\u{0}" + String(repeating: "t", count: 300)), correlationId: release)
                Issue.record("a hostile task key was accepted")
            } catch let refusal as CommandError {
                #expect(refusal.kind == .validation && refusal.rule == "testing.task_key" && refusal.fields?["taskKey"] != nil)
            }
            #expect(try await harness.outbox(TestsFinished.self, release).isEmpty)
        }
    }
}
