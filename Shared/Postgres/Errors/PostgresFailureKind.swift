/// What a failed database call means for the caller, in the four ways a message consumer
/// must react differently:
///
/// - ``unavailable``: the database cannot be reached or is going away (connection failure or
///   loss, SQLSTATE class 08, 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
///   cannot_connect_now, 53300 too_many_connections, a pool acquire timeout or a closed
///   pool). Not the message's fault: wait for the database and try again.
/// - ``conflict``: 40001 serialization_failure or 40P01 deadlock_detected. Running the whole
///   transaction again at once usually succeeds.
/// - ``timeout``: the statement was stopped before it finished: 57014 query_canceled
///   (statement timeout), 55P03 lock_not_available (lock timeout), the client-side deadline
///   (``PostgresError/Code/clientTimeout``) or a cancelled task (``PostgresError/Code/taskCancelled``,
///   `CancellationError`). May succeed later; counts against the message.
/// - ``permanent``: anything else, including errors that do not come from PostgreSQL (a
///   constraint violation, a decoding error, a handler's own error).
///
/// ``PostgresTransactionError`` (and ``MigrationError``) are unwrapped to the error behind them.
public enum PostgresFailureKind: Sendable, Hashable, CustomStringConvertible {
    case unavailable
    case conflict
    case timeout
    case permanent

    /// Classifies `error`; see the type's documentation for the mapping.
    public init(classifying error: any Error) {
        switch error {
        case let error as PostgresTransactionError:
            self.init(classifying: error.underlying)
        case let error as MigrationError:
            self = error.underlying.map { Self(classifying: $0) } ?? .permanent
        case is PostgresPoolError:
            // Both reasons (acquire timeout, closed) mean no connection can be had right now.
            self = .unavailable
        case let error as PostgresError:
            self = Self.classify(error)
        case is CancellationError:
            self = .timeout
        default:
            self = .permanent
        }
    }

    private static func classify(_ error: PostgresError) -> PostgresFailureKind {
        switch error.code {
        case .connectionFailure, .connectionLost: return .unavailable
        case .serializationFailure, .deadlockDetected: return .conflict
        case .queryCanceled, .clientTimeout, .taskCancelled: return .timeout
        default: break
        }
        guard let sqlState = error.sqlState else { return .permanent }
        if sqlState.hasPrefix("08") { return .unavailable }
        switch sqlState {
        case "57P01", "57P02", "57P03", "53300": return .unavailable
        case "40001", "40P01": return .conflict
        case "57014", "55P03": return .timeout
        default: return .permanent
        }
    }

    public var description: String {
        switch self {
        case .unavailable: "unavailable"
        case .conflict: "conflict"
        case .timeout: "timeout"
        case .permanent: "permanent"
        }
    }
}
