/// How a consumer retries a message whose handler failed: one delay queue per attempt,
/// growing exponentially, then the dead-letter queue.
public struct RetryPolicy: Sendable, Equatable {
    /// Delay before attempt 2, 3, … (the last one repeats while attempts remain).
    public var delays: [Duration]
    /// Attempts in all, including the first; after the last failure the message is dead-lettered.
    public var maxAttempts: Int

    public init(delays: [Duration], maxAttempts: Int) {
        self.delays = delays
        self.maxAttempts = max(1, maxAttempts)
    }

    /// 1 s, 5 s, 25 s; five attempts.
    public static let standard = RetryPolicy(delays: [.seconds(1), .seconds(5), .seconds(25)], maxAttempts: 5)

    /// The delay queue for `queue` at `level` (1-based).
    public func retryQueue(for queue: String, level: Int) -> String { "\(queue).retry.\(level)" }

    /// The delay queue to use after `attempt` failed, or nil when the message should die.
    public func retryQueue(for queue: String, afterAttempt attempt: Int) -> String? {
        guard attempt < maxAttempts, !delays.isEmpty else { return nil }
        return retryQueue(for: queue, level: min(attempt, delays.count))
    }
}
