/// Why the pool could not provide a connection.
public struct PostgresPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// No connection became free within the pool's acquire timeout.
        case acquireTimeout
        /// The pool was closed.
        case closed
    }

    public let reason: Reason

    public init(reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .acquireTimeout: "no PostgreSQL connection became available within the pool's acquire timeout"
        case .closed: "the PostgreSQL connection pool is closed"
        }
    }
}
