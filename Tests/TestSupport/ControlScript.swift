import Foundation

/// Runs one of the control commands that `.run/env` names (`SHIPBOARD_TEST_FAULT_*_CTL`,
/// a script path with its fixed arguments) with a verb appended, through `bash -c`.
///
/// - The wait happens in a continuation resumed by the process's termination handler,
///   never on the cooperative pool: a broker stop takes seconds.
/// - Output goes to a temporary file, not a pipe: a daemon the script starts could keep
///   a pipe open and the read would never end.
/// - A non-zero exit throws, with the last lines of the output (the scripts print
///   passwords only as `***`).
public enum ControlScript {
    /// What the command printed (stdout and stderr interleaved) and its exit status.
    public struct Outcome: Sendable {
        /// The exit status.
        public var status: Int32
        /// stdout and stderr, interleaved.
        public var output: String
    }

    /// Runs `commandLine verb...` and returns its outcome; `accepting` lists exit statuses
    /// that are not failures (e.g. 3, "not running", for `status`).
    @discardableResult
    public static func run(_ commandLine: String, _ verb: String..., accepting: Set<Int32> = [0]) async throws -> Outcome {
        let line = ([commandLine] + verb).joined(separator: " ")
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("shipboard-ctl-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw TestSettingsError(description: "cannot create \(log.path)")
        }
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", line]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = handle
            process.standardError = handle
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try? handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard accepting.contains(status) else {
            let tail = output.split(separator: "\n").suffix(8).joined(separator: "\n")
            throw TestSettingsError(description: "'\(verb.joined(separator: " "))' exited with \(status): \(tail)")
        }
        return Outcome(status: status, output: output)
    }
}
