/// A transaction that failed and was rolled back, with the step that failed.
public struct PostgresTransactionError: Error, Sendable, CustomStringConvertible {
    /// Where the transaction failed.
    public enum Step: Sendable, Hashable, CustomStringConvertible {
        /// `BEGIN` failed (often: no connection).
        case begin
        /// The `index`-th statement (from 1) run through the transaction failed.
        case statement(index: Int, label: String?)
        /// The body threw an error that did not come from a transaction statement.
        case body
        /// `COMMIT` failed (e.g. a serialization failure or deferred constraint).
        case commit

        public var description: String {
            switch self {
            case .begin: "begin"
            case .statement(let index, let label): "statement \(index)" + (label.map { " (\($0))" } ?? "")
            case .body: "body"
            case .commit: "commit"
            }
        }
    }

    /// Which step failed.
    public let step: Step
    /// The error from that step (``PostgresError``, ``PostgresEncodingError`` or the body's own).
    public let underlying: any Error
    /// Identifies the transaction, so an outer transaction does not mistake an inner one's error.
    let serial: UInt64

    init(step: Step, underlying: any Error, serial: UInt64) {
        self.step = step
        self.underlying = underlying
        self.serial = serial
    }

    /// True when running the whole transaction again may succeed: serialization failure,
    /// deadlock, or a connection lost before COMMIT was sent (after that, the outcome is unknown).
    public var isRetryable: Bool {
        guard let error = underlying.postgresError, error.isRetryable else { return false }
        return !(step == .commit && error.code == .connectionLost)
    }

    public var description: String {
        "transaction rolled back: \(step) failed: \(underlying)"
    }

    /// Pause before retry `attempt` (1, 2, …): exponential from 10 ms, capped, with jitter so
    /// conflicting transactions do not collide again in lockstep.
    static func backoff(attempt: Int) -> Duration {
        let base = min(200, 10 << min(attempt - 1, 5))
        return .milliseconds(base + Int.random(in: 0...base))
    }
}
