import AMQP
import Postgres

/// What an error from handling a message means for that message.
///
/// Only `fault` is the message's own doing and counts as an attempt (and may end in the
/// dead letters). Everything else is the world's: the message waits, unharmed.
enum HandlingFailure {
    /// The database is unreachable (connection lost or refused, pool exhausted or closed,
    /// server shutting down): hold everything until it is back.
    case databaseUnavailable
    /// The broker connection is gone (e.g. while a handler talked to it): try again shortly;
    /// the delivery itself is likely stale and is then dropped.
    case brokerUnavailable
    /// A serialization failure or deadlock: rerun the transaction at once.
    case conflict
    /// The runner is being cancelled: leave the message unacknowledged.
    case cancelled
    /// The handler failed, timed out or hit a permanent error: one failed attempt.
    case fault

    init(_ error: any Error) {
        if Task.isCancelled {
            self = .cancelled
            return
        }
        let underlying = (error as? PostgresTransactionError)?.underlying ?? error
        if let amqp = underlying as? AMQPError, amqp.isConnectionError {
            self = .brokerUnavailable
            return
        }
        switch PostgresFailureKind(classifying: error) {
        case .unavailable: self = .databaseUnavailable
        case .conflict: self = .conflict
        case .timeout, .permanent: self = .fault
        }
    }
}
