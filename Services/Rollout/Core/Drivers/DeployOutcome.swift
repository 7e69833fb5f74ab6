import Scripts

/// What one deploy or backout did to its target: whether it worked, why not, and what each
/// script printed (each bounded by ``ScriptLimits/outputBytes``).
public struct DeployOutcome: Sendable, Equatable {
    /// One script that ran, in order.
    public struct ScriptRun: Sendable, Equatable {
        /// `install.sh`, `verify.sh` or `backout.sh`.
        public var script: String
        public var outcome: ProcessOutcome

        public init(script: String, outcome: ProcessOutcome) {
            self.script = script
            self.outcome = outcome
        }
    }

    /// True when every script that had to run exited with status 0.
    public var succeeded: Bool
    /// Why it failed, worded for a person; `nil` on success.
    public var failureReason: String?
    public var scripts: [ScriptRun]

    public static func success(_ scripts: [ScriptRun]) -> DeployOutcome {
        DeployOutcome(succeeded: true, failureReason: nil, scripts: scripts)
    }

    public static func failure(_ reason: String, _ scripts: [ScriptRun] = []) -> DeployOutcome {
        DeployOutcome(succeeded: false, failureReason: reason, scripts: scripts)
    }

    /// The attempt's log as kept with it: each script's summary line, then its output.
    public var log: String {
        var lines: [String] = []
        for run in scripts {
            lines.append("== \(run.outcome.summary(of: run.script)) in \(Self.milliseconds(run.outcome.duration)) ms")
            if !run.outcome.output.isEmpty { lines.append(run.outcome.output) }
        }
        if let failureReason, !scripts.contains(where: { !$0.outcome.succeeded }) { lines.append("== \(failureReason)") }
        return lines.joined(separator: "\n")
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
