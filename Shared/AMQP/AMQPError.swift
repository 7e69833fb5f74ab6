/// Everything that can go wrong talking to RabbitMQ.
///
/// Each case keeps the raw code from rabbitmq-c or the broker next to a readable reason.
/// No case carries message bodies, passwords or URLs.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration value is missing or malformed.
    case invalidConfiguration(String)
    /// TCP connect, TLS or the AMQP handshake failed (`status` is rabbitmq-c's status code).
    case connectionFailed(status: Int32, reason: String)
    /// The broker refused the login (bad credentials or vhost access).
    case loginRefused(reason: String)
    /// The connection is gone: socket error, heartbeat timeout or connection.close from the broker.
    case connectionLost(reason: String)
    /// The client's connection is not up right now (while it reconnects, or after close).
    case notConnected
    /// The broker blocked the publishing connection (a memory or disk alarm) and did not
    /// unblock it before the publish's deadline. Nothing was written: retry later.
    case blocked(reason: String)
    /// The broker closed a channel (`code` is the AMQP reply code, e.g. 404 for a missing exchange).
    case channelClosed(code: UInt16, reason: String)
    /// A synchronous broker call failed with a library status.
    case operationFailed(operation: String, status: Int32, reason: String)
    /// The broker negatively acknowledged a published message.
    case publishNacked(messageID: String)
    /// A mandatory message could not be routed to any queue.
    case publishReturned(messageID: String, code: UInt16, reason: String)
    /// Confirms did not arrive in time. The messages were written: the broker may still
    /// take them (outcome unknown), so a retry must tolerate duplicates.
    case confirmTimeout(pending: Int)
    /// An ack, nack or reject for a delivery whose connection or channel has since closed;
    /// the broker redelivers the message, so the caller only needs to stop.
    case staleDelivery
    /// A value cannot be encoded in AMQP (too long, too large, not representable).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid AMQP configuration: \(reason)"
        case .connectionFailed(let status, let reason): "AMQP connection failed (\(status)): \(reason)"
        case .loginRefused(let reason): "AMQP login refused: \(reason)"
        case .connectionLost(let reason): "AMQP connection lost: \(reason)"
        case .notConnected: "AMQP connection is not available"
        case .blocked(let reason): "AMQP connection blocked by the broker (\(reason)); nothing was published"
        case .channelClosed(let code, let reason): "AMQP channel closed by broker (\(code)): \(reason)"
        case .operationFailed(let operation, let status, let reason): "AMQP \(operation) failed (\(status)): \(reason)"
        case .publishNacked(let id): "broker nacked message \(id)"
        case .publishReturned(let id, let code, let reason): "message \(id) was returned as unroutable (\(code)): \(reason)"
        case .confirmTimeout(let pending): "publisher confirms timed out with \(pending) message(s) unconfirmed"
        case .staleDelivery: "delivery belongs to a closed connection or channel; the broker will redeliver it"
        case .invalidArgument(let reason): "invalid AMQP argument: \(reason)"
        }
    }

    /// True when the broker or the way to it is at fault, not the message: reconnecting or
    /// waiting may cure it (lost or missing connection, a blocked broker, confirms that did
    /// not come in time).
    public var isConnectionError: Bool {
        switch self {
        case .connectionFailed, .connectionLost, .notConnected, .blocked, .confirmTimeout: true
        default: false
        }
    }

    /// True when the message certainly did not reach the broker (nothing was written for it),
    /// so sending it again cannot duplicate it. False when the outcome is unknown or the
    /// broker answered.
    public var certainlyNotSent: Bool {
        switch self {
        case .notConnected, .blocked, .invalidArgument, .invalidConfiguration, .connectionFailed, .loginRefused: true
        default: false
        }
    }

    /// True for refusals that retrying cannot cure until an operator changes something:
    /// a refused login, access refused (403), a declaration that conflicts with the
    /// existing definition (406), a missing queue or exchange (404).
    public var isPermanent: Bool {
        switch self {
        case .loginRefused, .invalidConfiguration: true
        case .channelClosed(let code, _): code == 403 || code == 404 || code == 406
        default: false
        }
    }

    /// What an operator should do about a permanent error (nil for transient ones).
    public var operatorAdvice: String? {
        switch self {
        case .loginRefused:
            "check the user and password in the AMQP URL and that the user may access the vhost"
        case .invalidConfiguration:
            "fix the AMQP URL"
        case .channelClosed(403, _):
            "grant the broker user configure/write/read permissions on the named resource"
        case .channelClosed(404, _):
            "declare the named queue or exchange (is the topology complete?)"
        case .channelClosed(406, _):
            "the named queue or exchange exists with other arguments: migrate it (README, 'Topology migration') or delete and re-declare it"
        default:
            nil
        }
    }
}
