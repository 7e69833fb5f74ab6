/// When a failed attempt is tried again: exponential backoff with jitter, then a recorded
/// failure. Jitter spreads the retries of many deliveries to one endpoint that failed at once.
public struct DeliveryRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 6, baseDelay: Duration = .seconds(5), maxDelay: Duration = .seconds(1800)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The outcome to record after `attempt` (1-based) ended in `result`; `unit` in [0, 1)
    /// is the jitter draw (random in production, fixed in tests).
    public func outcome(after attempt: Int, _ result: SendOutcome, unit: Double) -> DeliveryStore.Outcome {
        switch result {
        case .delivered: return .sent
        case .permanent(let reason): return .failed(reason: reason)
        case .retryable(let reason):
            guard attempt < maxAttempts else { return .failed(reason: "\(reason) (after \(attempt) attempts)") }
            return .retry(after: delay(after: attempt, unit: unit), reason: reason)
        }
    }

    /// base × 2^(attempt−1), at most `maxDelay`, then between half and all of it ("equal jitter").
    public func delay(after attempt: Int, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(baseDelay * (1 << exponent), maxDelay)
        return full / 2 + full / 2 * min(max(unit, 0), 1)
    }
}
