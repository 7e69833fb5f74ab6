/// How a consumer retries a message whose handler failed through the message's own fault.
///
/// Retries happen in place: the delivery stays unacknowledged in its lane (its correlation
/// id) and is handled again after the delay, so later messages of the same lane wait and
/// order is kept; other lanes go on meanwhile. After `maxAttempts` failures the message is
/// dead-lettered. Outages (database unreachable) and conflicts (serialization failures,
/// deadlocks) are not attempts: see `ConsumerRunner`.
public struct RetryPolicy: Sendable, Equatable {
    /// Delay before attempt 2, 3, … (the last one repeats while attempts remain).
    public var delays: [Duration]
    /// Attempts in all, including the first; after the last failure the message is dead-lettered.
    public var maxAttempts: Int
    /// How often a serialization failure or deadlock reruns the transaction at once (with a
    /// short jittered pause) before it counts as one failed attempt.
    public var conflictRetries: Int

    public init(delays: [Duration], maxAttempts: Int, conflictRetries: Int = 10) {
        self.delays = delays
        self.maxAttempts = max(1, maxAttempts)
        self.conflictRetries = max(0, conflictRetries)
    }

    /// 1 s, 5 s, 25 s; five attempts.
    public static let standard = RetryPolicy(delays: [.seconds(1), .seconds(5), .seconds(25)], maxAttempts: 5)

    /// The pause after `attempt` (1-based) failed, or nil when the message should be dead-lettered.
    /// At least the configured delay, up to 20% more, so messages that failed together do not come back in lockstep.
    public func delay(afterAttempt attempt: Int) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        guard !delays.isEmpty else { return .zero }
        return delays[min(max(attempt, 1), delays.count) - 1] * Double.random(in: 1.0...1.2)
    }

    /// The pause before rerunning a transaction after its `conflict`-th conflict: a few
    /// milliseconds, growing, with jitter so the two sides do not collide again.
    static func conflictPause(_ conflict: Int) -> Duration {
        let base = min(100, 5 << min(conflict, 5))
        return .milliseconds(Int.random(in: base / 2...base))
    }
}
