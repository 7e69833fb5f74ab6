import Glibc
import Subprocess
import SystemPackage
import Synchronization

/// Starts one script (through swift-subprocess) under fixed bounds: how shipboard-testing
/// runs an image's tests and shipboard-rollout its install, verify and backout scripts.
///
/// - Environment: exactly `environment`, built by the caller; nothing is inherited, so no
///   database URL, broker URL or token of the service reaches a script.
/// - Working directory: `workingDirectory` (the unpacked image).
/// - The process leads a process group of its own; at ``ScriptLimits/timeout`` the whole
///   group is killed (SIGKILL), and so is anything it left running when it exited, or when
///   the caller is cancelled.
/// - Output: stdout and stderr share one pipe, read as it comes; the first
///   ``ScriptLimits/outputBytes`` bytes are kept and the rest only counted, so a script
///   printing without end costs no memory.
public struct SandboxProcess: Sendable {
    public let limits: ScriptLimits
    public let environment: [String: String]
    public let workingDirectory: String

    public init(limits: ScriptLimits, environment: [String: String], workingDirectory: String) {
        self.limits = limits
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// Runs the executable at `path` with `arguments`. Throws when it cannot be started, or
    /// when the calling task is cancelled (the process group is then killed).
    public func run(_ path: String, arguments: [String] = []) async throws -> ProcessOutcome {
        let started = ContinuousClock.now
        let leader = ProcessGroupLeader()
        var options = PlatformOptions()
        options.processGroupID = 0
        // Cancelled mid-run (the service is stopping): the whole group goes, not only the script.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let keep = limits.outputBytes
        let variables = Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })
        let configuration = Configuration(
            executable: .path(FilePath(path)), arguments: Arguments(arguments), environment: .custom(variables),
            workingDirectory: FilePath(workingDirectory), platformOptions: options)
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
