import Foundation
import Glibc

/// Settings that `Infra/scripts/test.sh` provides through the environment.
public enum TestSettings {
    /// The variable's value; a clear error when the tests were not started by test.sh.
    public static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSettingsError(description: "\(name) is not set: run the tests with `bash Infra/scripts/test.sh`")
        }
        return value
    }
}

public struct TestSettingsError: Error, CustomStringConvertible {
    public let description: String
}

/// The RabbitMQ node that fault tests stop, start, kill, pause and resume.
public enum FaultBroker {
    /// Runs the control script (`start`, `stop`, `kill`, `pause`, `resume`) off the
    /// cooperative pool: a stop takes seconds.
    public static func control(_ command: String) async throws {
        let script = try TestSettings.value("SHIPBOARD_TEST_FAULT_BROKER_CTL")
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "\(script) \(command)"]
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            throw TestSettingsError(description: "fault broker '\(command)' exited with \(status)")
        }
    }

    /// Holds an exclusive lock on the fault broker for the whole of `body`: fault tests live
    /// in several test targets that `swift test` runs in one process, in parallel, and one
    /// test's broker restart must not land in the middle of another's.
    public static func exclusively<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await CrossProcessLock.exclusively("shipboard-fault-broker", body)
    }
}
