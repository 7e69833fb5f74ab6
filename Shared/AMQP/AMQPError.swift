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
    /// The broker closed a channel (`code` is the AMQP reply code, e.g. 404 for a missing exchange).
    case channelClosed(code: UInt16, reason: String)
    /// A synchronous broker call failed with a library status.
    case operationFailed(operation: String, status: Int32, reason: String)
    /// The broker negatively acknowledged a published message.
    case publishNacked(messageID: String)
    /// A mandatory message could not be routed to any queue.
    case publishReturned(messageID: String, code: UInt16, reason: String)
    /// Confirms did not arrive in time.
    case confirmTimeout(pending: Int)
    /// An ack, nack or reject for a delivery whose connection or channel has since closed;
    /// the broker redelivers the message, so the caller only needs to stop.
    case staleDelivery
    /// A value cannot be encoded in an AMQP field table.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid AMQP configuration: \(reason)"
        case .connectionFailed(let status, let reason): "AMQP connection failed (\(status)): \(reason)"
        case .loginRefused(let reason): "AMQP login refused: \(reason)"
        case .connectionLost(let reason): "AMQP connection lost: \(reason)"
        case .notConnected: "AMQP connection is not available"
        case .channelClosed(let code, let reason): "AMQP channel closed by broker (\(code)): \(reason)"
        case .operationFailed(let operation, let status, let reason): "AMQP \(operation) failed (\(status)): \(reason)"
        case .publishNacked(let id): "broker nacked message \(id)"
        case .publishReturned(let id, let code, let reason): "message \(id) was returned as unroutable (\(code)): \(reason)"
        case .confirmTimeout(let pending): "publisher confirms timed out with \(pending) message(s) unconfirmed"
        case .staleDelivery: "delivery belongs to a closed connection or channel; the broker will redeliver it"
        case .invalidArgument(let reason): "invalid AMQP argument: \(reason)"
        }
    }

    /// True when reconnecting may cure the error.
    public var isConnectionError: Bool {
        switch self {
        case .connectionFailed, .connectionLost, .notConnected: true
        default: false
        }
    }
}
