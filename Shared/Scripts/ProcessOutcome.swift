/// How one script ended, and what it printed.
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

    public init(ending: Ending, output: String, droppedBytes: Int, duration: Duration) {
        self.ending = ending
        self.output = output
        self.droppedBytes = droppedBytes
        self.duration = duration
    }

    /// The exit status when the process exited, for the record.
    public var exitStatus: Int32? {
        if case .exited(let status) = ending { status } else { nil }
    }

    /// Exit status 0, the only ending that counts as success.
    public var succeeded: Bool { ending == .exited(0) }

    /// What happened to `script`, in words a person can act on, and where its output was cut.
    public func summary(of script: String) -> String {
        var detail =
            switch ending {
            case .exited(0): "\(script) exited with status 0"
            case .exited(let status): "\(script) exited with status \(status): see its output"
            case .signaled(let signal): "\(script) was ended by signal \(signal)"
            case .timedOut(let limit):
                "\(script) timed out after \(limit.components.seconds) s: it and every process it started were killed"
            }
        if droppedBytes > 0 {
            detail += " (output cut at \(output.utf8.count) bytes: \(droppedBytes) more bytes were dropped)"
        }
        return detail
    }
}
