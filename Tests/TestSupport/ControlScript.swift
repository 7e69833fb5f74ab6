import Subprocess

/// Runs one of the control commands that `.run/env` names (`SHIPBOARD_TEST_FAULT_*_CTL`,
/// a script path with its fixed arguments) with a verb appended, through `bash -c`.
///
/// - swift-subprocess waits for the process on its own I/O thread, never blocking the
///   cooperative pool: a broker stop takes seconds.
/// - stdout and stderr are collected together (at most 1 MiB). The scripts redirect the
///   daemons they start away from their own output, so the collection ends with the script.
/// - A non-zero exit throws, with the last lines of the output (the scripts print
///   passwords only as `***`).
public enum ControlScript {
    /// What the command printed (stdout and stderr interleaved) and its exit status.
    public struct Outcome: Sendable {
        /// The exit status (128 + the signal number when a signal ended it).
        public var status: Int32
        /// stdout and stderr, interleaved.
        public var output: String
    }

    /// Runs `commandLine verb...` and returns its outcome; `accepting` lists exit statuses
    /// that are not failures (e.g. 3, "not running", for `status`).
    @discardableResult
    public static func run(_ commandLine: String, _ verb: String..., accepting: Set<Int32> = [0]) async throws -> Outcome {
        let line = ([commandLine] + verb).joined(separator: " ")
        let result = try await Subprocess.run(
            .path("/bin/bash"), arguments: ["-c", line], output: .string(limit: 1 << 20), error: .combinedWithOutput)
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        let output = result.standardOutput ?? ""
        guard accepting.contains(status) else {
            let tail = output.split(separator: "\n").suffix(8).joined(separator: "\n")
            throw TestSettingsError(description: "'\(verb.joined(separator: " "))' exited with \(status): \(tail)")
        }
        return Outcome(status: status, output: output)
    }
}
