import Contracts

/// Targets of a rollout (or of one wave or site) by state, as the gateway reports them. An
/// unknown state read from the database is refused, never counted as something else.
public struct RolloutCounts: Codable, Sendable, Equatable {
    public var total = 0
    public var pending = 0
    public var running = 0
    public var succeeded = 0
    public var failed = 0
    public var backedOut = 0
    public var skipped = 0
    public var excluded = 0

    public init() {}

    /// Counts from `state name → count` (the wire names of ``RolloutTargetState``).
    public init(byState: [String: Int]) throws(CommandError) {
        for (name, count) in byState { try add(name, count) }
    }

    mutating func add(_ name: String, _ count: Int) throws(CommandError) {
        switch RolloutTargetState(rawValue: name) {
        case .pending: pending += count
        case .running: running += count
        case .succeeded: succeeded += count
        case .failed: failed += count
        case .backedOut: backedOut += count
        case .skipped: skipped += count
        case .excluded: excluded += count
        case .unknown:
            throw CommandError(.internal, "a rollout target has a state this gateway does not know", rule: "rollout.target_state")
        }
        total += count
    }

    /// Targets nothing more is deployed to (``RolloutTargetState/isSettled``).
    public var settled: Int { total - pending - running }
}

/// How far a rollout, wave or site has got, and how fast: the rate is the targets settled in
/// the last ``rateWindowSeconds``, per second; the ETA is what remains at that rate. Nothing
/// settled in the window means no ETA (a paused or stuck rollout has none, rather than a
/// guess). Pure: the counts come from one grouped query.
public struct RolloutProgress: Codable, Sendable, Equatable {
    /// The window the rate is measured over.
    public static let rateWindowSeconds = 60

    public var counts: RolloutCounts
    public var settled: Int
    /// Settled of all, rounded down (100 only when every target is settled; 0 with none).
    public var percent: Int
    public var settledLastMinute: Int
    public var ratePerSecond: Double
    public var etaSeconds: Int?

    public init(counts: RolloutCounts, settledLastMinute: Int) {
        self.counts = counts
        settled = counts.settled
        percent = counts.total > 0 ? settled * 100 / counts.total : 0
        self.settledLastMinute = max(settledLastMinute, 0)
        ratePerSecond = Double(self.settledLastMinute) / Double(Self.rateWindowSeconds)
        let remaining = counts.total - settled
        // remaining / rate in whole numbers, rounded up: one target left at 10/s is "1 s", not "0 s".
        let settledInWindow = self.settledLastMinute
        etaSeconds = remaining > 0 && settledInWindow > 0
            ? (remaining * Self.rateWindowSeconds + settledInWindow - 1) / settledInWindow : nil
    }
}
