extension PostgresError {
    /// The SQLSTATEs callers branch on, plus client-side connection failures.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// 23505: a unique or primary key constraint was violated.
        case uniqueViolation
        /// 23503.
        case foreignKeyViolation
        /// 23502.
        case notNullViolation
        /// 23514.
        case checkViolation
        /// 40001: retry the transaction.
        case serializationFailure
        /// 40P01: retry the transaction.
        case deadlockDetected
        /// 42P01.
        case undefinedTable
        /// 57014: statement timeout or cancel request.
        case queryCanceled
        /// The connection could not be established.
        case connectionFailure
        /// The connection broke while in use; the connection is unusable.
        case connectionLost
        /// The client-side query deadline (``PostgresConfiguration/queryTimeout``) passed: the
        /// statement was cancelled, and if the server did not answer the cancel in time the
        /// connection was abandoned.
        case clientTimeout
        /// The calling task was cancelled while the statement ran: the statement was cancelled
        /// on the server (or the connection abandoned when the server did not answer).
        case taskCancelled
        /// Any other SQLSTATE (or `"XX000"`-like raw value; empty when libpq gave none).
        case other(String)

        /// Classifies a server SQLSTATE.
        public init(sqlState: String) {
            switch sqlState {
            case "23505": self = .uniqueViolation
            case "23503": self = .foreignKeyViolation
            case "23502": self = .notNullViolation
            case "23514": self = .checkViolation
            case "40001": self = .serializationFailure
            case "40P01": self = .deadlockDetected
            case "42P01": self = .undefinedTable
            case "57014": self = .queryCanceled
            default: self = .other(sqlState)
            }
        }

        public var description: String {
            switch self {
            case .uniqueViolation: "uniqueViolation"
            case .foreignKeyViolation: "foreignKeyViolation"
            case .notNullViolation: "notNullViolation"
            case .checkViolation: "checkViolation"
            case .serializationFailure: "serializationFailure"
            case .deadlockDetected: "deadlockDetected"
            case .undefinedTable: "undefinedTable"
            case .queryCanceled: "queryCanceled"
            case .connectionFailure: "connectionFailure"
            case .connectionLost: "connectionLost"
            case .clientTimeout: "clientTimeout"
            case .taskCancelled: "taskCancelled"
            case .other(let state): "other(\(state))"
            }
        }
    }
}
