import Foundation
import Glibc
import Subprocess
import SystemPackage
import Synchronization

/// How one process of a test run ended, and what it printed.
public struct ProcessOutcome: Sendable, Equatable {
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// It outlived its time limit; its whole process group was killed.
        case timedOut(Duration)
    }

    public var ending: Ending
    /// stdout and stderr interleaved, at most the limit's bytes (invalid UTF-8 and NUL shown as U+FFFD).
    public var output: String
    /// The bytes printed after the limit: counted, never kept.
    public var droppedBytes: Int
    public var duration: Duration

    /// The exit status when the process exited, for the record.
    public var exitStatus: Int32? {
        if case .exited(let status) = ending { status } else { nil }
    }
}

/// Starts one process of a test run (through swift-subprocess) under the run's bounds.
///
/// - Environment: exactly ``SandboxEnvironment/variables``, nothing inherited.
/// - Working directory: the unpacked image.
/// - The process leads a process group of its own; at ``TestRunLimits/timeout`` the whole
///   group is killed (SIGKILL), and so is anything it left running when it exited, or when
///   the caller is cancelled.
/// - Output: stdout and stderr share one pipe, read as it comes; the first
///   ``TestRunLimits/outputBytes`` bytes are kept and the rest only counted, so a script
///   printing without end costs no memory.
public struct SandboxProcess: Sendable {
    public let limits: TestRunLimits
    public let environment: SandboxEnvironment

    public init(limits: TestRunLimits, environment: SandboxEnvironment) {
        self.limits = limits
        self.environment = environment
    }

    /// Runs the executable at `path` with no arguments. Throws when it cannot be started, or
    /// when the calling task is cancelled (the process group is then killed).
    public func run(_ path: String) async throws -> ProcessOutcome {
        let started = ContinuousClock.now
        let leader = ProcessGroupLeader()
        var options = PlatformOptions()
        options.processGroupID = 0
        // Cancelled mid-run (the service is stopping): the whole group goes, not only the script.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let keep = limits.outputBytes
        let variables = Dictionary(uniqueKeysWithValues: environment.variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) })
        let configuration = Configuration(
            executable: .path(FilePath(path)), arguments: [], environment: .custom(variables),
            workingDirectory: FilePath(environment.imageDirectory), platformOptions: options)
        let timeout = limits.timeout
        return try await withThrowingTaskGroup(of: Finish.self) { group in
            group.addTask {
                let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) {
                    execution in
                    leader.set(execution.processIdentifier.value)
                    var captured = BoundedCapture(limit: keep)
                    for try await buffer in execution.standardOutput {
                        buffer.withUnsafeBytes { captured.append($0) }
                    }
                    return captured
                }
                return .completed(result.terminationStatus, result.closureResult)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .timerFired
            }
            var timedOut = false
            while let finish = try await group.next() {
                switch finish {
                case .timerFired:
                    // Killing the group closes the pipe, which ends the reading task.
                    timedOut = true
                    await leader.killGroup()
                case .completed(let status, let captured):
                    group.cancelAll()
                    // Whatever the script left running in its group goes with it.
                    await leader.killGroup()
                    let ending: ProcessOutcome.Ending =
                        if timedOut { .timedOut(timeout) } else {
                            switch status {
                            case .exited(let code): .exited(code)
                            case .signaled(let signal): .signaled(signal)
                            }
                        }
                    return ProcessOutcome(
                        ending: ending, output: captured.text, droppedBytes: captured.dropped,
                        duration: ContinuousClock.now - started)
                }
            }
            throw CancellationError()
        }
    }

    private enum Finish: Sendable {
        case completed(TerminationStatus, BoundedCapture)
        case timerFired
    }
}

/// The first `limit` bytes of a stream, and how many more there were.
struct BoundedCapture: Sendable {
    let limit: Int
    private(set) var kept: [UInt8] = []
    private(set) var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let room = max(0, limit - kept.count)
        kept.append(contentsOf: bytes.prefix(room))
        dropped += bytes.count - min(room, bytes.count)
    }

    /// The kept bytes as text; NUL (which PostgreSQL text cannot hold) becomes U+FFFD.
    var text: String {
        String(decoding: kept, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}

/// The id of the process group a started process leads, once it is known.
private final class ProcessGroupLeader: Sendable {
    private let pid = Mutex<pid_t?>(nil)

    func set(_ value: pid_t) {
        pid.withLock { $0 = value }
    }

    /// SIGKILL to the whole group; waits for the process to have started when the timer beat it.
    func killGroup() async {
        while true {
            if let leader = pid.withLock({ $0 }) {
                _ = kill(-leader, SIGKILL)
                return
            }
            if Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
