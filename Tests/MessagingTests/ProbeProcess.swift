import Foundation
import Glibc
import Postgres

/// A `messaging-probe` process started by a test (see Tests/MessagingProbe).
final class ProbeProcess {
    let process = Process()
    private let errorOutput = Pipe()

    /// Starts the probe for `fixture`; `environment` overrides or (with nil) removes variables.
    /// `databaseURL` defaults to the main test database.
    init(fixture: MessagingFixture, handlerDelayMs: Int = 0, concurrency: Int = 4, databaseURL: String? = nil,
         environment overrides: [String: String?] = [:]) throws {
        var environment = ProcessInfo.processInfo.environment
        let database = try databaseURL ?? MessagingTestEnvironment.value("SHIPBOARD_TEST_DATABASE_URL")
        // Tagged so a test can find the probe's own sessions in pg_stat_activity.
        environment["SHIPBOARD_DATABASE_URL"] = database + (database.contains("?") ? "&" : "?")
            + "application_name=\(Self.applicationName(fixture))"
        environment["SHIPBOARD_AMQP_URL"] = try MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL")
        environment["PROBE_SCHEMA"] = fixture.schema
        environment["PROBE_QUEUE"] = fixture.queue
        environment["PROBE_ROUTING_KEY"] = fixture.routingKey
        environment["PROBE_HANDLER_DELAY_MS"] = "\(handlerDelayMs)"
        environment["PROBE_CONCURRENCY"] = "\(concurrency)"
        for (name, value) in overrides { environment[name] = value }
        process.executableURL = try Self.binary()
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorOutput
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    static func applicationName(_ fixture: MessagingFixture) -> String { "probe_\(fixture.schema)" }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end (off the cooperative pool); returns its exit status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw MessagingTestError("probe \(pid) did not exit in time") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// What the probe wrote to stderr (read after it exited).
    func standardError() -> String {
        String(decoding: errorOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The built `messaging-probe`: next to the test bundle in the build folder.
    static func binary() throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("messaging-probe")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw MessagingTestError("messaging-probe not found next to the tests: build with `swift build --build-tests`")
    }
}
