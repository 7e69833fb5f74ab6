import Foundation
import Glibc
import Scripts
import Testing
import TestingCore

/// The processes a test run starts: only the documented environment, a timeout that kills
/// the whole process group, and output kept to a bound.
@Suite("Sandbox processes: environment, timeout, bounded output")
struct SandboxProcessTests {
    /// Runs `script` (a shell script written into a fresh image folder) under `limits`.
    static func run(_ script: String, limits: TestRunLimits = .init(timeout: .seconds(20), outputBytes: 4096),
                    executable: String? = nil) async throws -> (ProcessOutcome, String) {
        try await TestRunImages.withFolder { folder in
            let image = folder + "/image"
            try FileManager.default.createDirectory(atPath: image, withIntermediateDirectories: true)
            try Data(("#!/bin/sh\n" + script).utf8).write(to: URL(fileURLWithPath: image + "/script.sh"))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: image + "/script.sh")
            let environment = SandboxEnvironment(
                sandbox: folder, targetRoot: folder + "/target", imageDirectory: image, imageName: "payroll", imageVersion: "4.2.0",
                imageSha256: String(repeating: "a", count: 64), releaseKey: "REL-000042", testRun: "run-1")
            let outcome = try await SandboxProcess(limits: limits, environment: environment).run(executable ?? image + "/script.sh")
            return (outcome, folder)
        }
    }

    @Test("a process sees only the documented variables, even when the service holds a database URL and a token")
    func onlyDocumentedEnvironment() async throws {
        setenv("SHIPBOARD_DATABASE_URL", "postgres://testing:secret@127.0.0.1/shipboard", 1)
        setenv("SHIPBOARD_DML_TOKEN", "token-that-must-not-leak", 1)
        let (outcome, folder) = try await Self.run("", executable: "/usr/bin/env")
        #expect(outcome.ending == .exited(0))
        let lines = outcome.output.split(separator: "\n").map(String.init)
        let names = Set(lines.map { String($0.prefix { $0 != "=" }) })
        #expect(names == [
            "PATH", "HOME", "LANG", "SHIPBOARD_TARGET_ROOT", "SHIPBOARD_IMAGE_DIR", "SHIPBOARD_IMAGE_NAME", "SHIPBOARD_IMAGE_VERSION",
            "SHIPBOARD_IMAGE_SHA256", "SHIPBOARD_RELEASE_KEY", "SHIPBOARD_TEST_RUN",
        ])
        #expect(!outcome.output.contains("secret") && !outcome.output.contains("token-that-must-not-leak"))
        #expect(lines.contains("HOME=\(folder)") && lines.contains("SHIPBOARD_TARGET_ROOT=\(folder)/target"))
        #expect(lines.contains("SHIPBOARD_RELEASE_KEY=REL-000042") && lines.contains("LANG=C.UTF-8"))
    }

    @Test("a script runs in the unpacked image, and its exit status is kept")
    func workingDirectoryAndExitStatus() async throws {
        let (outcome, folder) = try await Self.run("pwd\nexit 3\n")
        #expect(outcome.ending == .exited(3) && outcome.exitStatus == 3)
        #expect(outcome.output == folder + "/image\n")
    }

    @Test("a sleeping script with a 1 s limit is killed with everything it started, and reported as timed out")
    func timeoutKillsTheProcessGroup() async throws {
        let started = ContinuousClock.now
        let (outcome, _) = try await Self.run(
            "sleep 300 &\necho $!\nsleep 300\n", limits: .init(timeout: .seconds(1), outputBytes: 4096))
        // Far below the script's 300 s; loose because a loaded fresh-clone run took 17 s.
        #expect(ContinuousClock.now - started < .seconds(90), "the timeout did not end the script")
        #expect(outcome.ending == .timedOut(.seconds(1)) && outcome.exitStatus == nil)
        let child = try #require(pid_t(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the script's group: it is gone too (or a zombie already reaped by init).
        var alive = kill(child, 0) == 0
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(20))
            alive = kill(child, 0) == 0
        }
        #expect(!alive, "the script's background process outlived the timeout")
    }

    @Test("a run cancelled mid-way (the service stopping) kills the script and everything it started")
    func cancellationKillsTheProcessGroup() async throws {
        try await TestRunImages.withFolder { folder in
            let image = folder + "/image"
            try FileManager.default.createDirectory(atPath: image, withIntermediateDirectories: true)
            try Data("#!/bin/sh\nsleep 30 &\necho $! > child.pid\nsleep 30\n".utf8).write(to: URL(fileURLWithPath: image + "/script.sh"))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: image + "/script.sh")
            let environment = SandboxEnvironment(
                sandbox: folder, targetRoot: folder, imageDirectory: image, imageName: "n", imageVersion: "1",
                imageSha256: String(repeating: "a", count: 64), releaseKey: "REL-000042", testRun: "run-1")
            let running = Task {
                try await SandboxProcess(limits: .init(timeout: .seconds(60), outputBytes: 1024), environment: environment)
                    .run(image + "/script.sh")
            }
            var child: pid_t?
            for _ in 0..<500 where child == nil {
                try await Task.sleep(for: .milliseconds(10))
                child = (try? String(contentsOfFile: image + "/child.pid", encoding: .utf8)).flatMap {
                    pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
            let background = try #require(child, "the script never started")
            running.cancel()
            _ = await running.result
            var alive = kill(background, 0) == 0
            for _ in 0..<100 where alive {
                try await Task.sleep(for: .milliseconds(20))
                alive = kill(background, 0) == 0
            }
            #expect(!alive, "the script's background process outlived the cancelled run")
        }
    }

    @Test("output past the limit is counted, not kept; stdout and stderr share it")
    func boundedOutput() async throws {
        let (outcome, _) = try await Self.run(
            "echo to-stderr >&2\nhead -c 100000 /dev/zero | tr '\\0' a\n", limits: .init(timeout: .seconds(20), outputBytes: 1000))
        #expect(outcome.ending == .exited(0))
        #expect(outcome.output.utf8.count == 1000)
        #expect(outcome.output.hasPrefix("to-stderr\naaa"))
        #expect(outcome.droppedBytes == 100_000 + 10 - 1000)
    }

    @Test("a NUL in the output is kept as U+FFFD, which a text column can hold")
    func nulInOutput() async throws {
        let (outcome, _) = try await Self.run("printf 'a\\000b'\n")
        #expect(outcome.output == "a\u{FFFD}b")
    }
}
