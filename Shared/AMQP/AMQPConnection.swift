import CRabbitMQ
import Foundation
import Glibc
import Logging

/// One AMQP connection to RabbitMQ through rabbitmq-c.
///
/// Thread confinement: rabbitmq-c connections are not thread-safe and service heartbeats
/// only inside its calls. Every call on `handle` happens inside this actor, and the actor's
/// executor is a `WakeableSerialExecutor`: one serial `DispatchQueue`, so exactly one thread
/// touches the connection at a time and blocking C calls never run on Swift's cooperative
/// pool. `pump` (driven by `run`) is the only job that blocks for long; any other job
/// enqueued meanwhile wakes it through the executor's eventfd.
///
/// Channels: 1 carries synchronous RPCs (declarations), 2 publishes in confirm mode,
/// 3 and up carry one consumer each, so a channel error in one role leaves the others open.
public actor AMQPConnection {
    let executor: WakeableSerialExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public nonisolated let configuration: AMQPConfiguration
    let handle: RabbitConnectionHandle
    let logger: Logger

    /// Set once the connection is unusable; every later call throws it.
    var failure: AMQPError?
    /// Negotiated heartbeat in seconds (0 = off).
    var heartbeat: Int = 0
    var lastInbound = ContinuousClock.now

    static let controlChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2
    var nextConsumerChannel: UInt16 = 3
    var openChannels: Set<UInt16> = []
    /// Bumped whenever a channel closes, so settling a delivery from an earlier life of the
    /// channel fails with `staleDelivery` instead of acking an unrelated message.
    var channelEpochs: [UInt16: UInt64] = [:]

    // Publisher confirms on channel 2.
    var nextPublishTag: UInt64 = 1
    var unconfirmed: [UInt64: String] = [:]
    var publishFailures: [AMQPError] = []
    var returnedMessages: [String: (code: UInt16, reason: String)] = [:]

    // Consumers by consumer tag.
    var consumers: [String: ConsumerRoute] = [:]

    struct ConsumerRoute {
        let channel: UInt16
        let queue: String
        let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
        /// Standalone consumers end with the connection; an `AMQPClient` keeps its streams
        /// open across reconnects and subscribes them again.
        let finishOnConnectionLoss: Bool
        /// The direct reply-to consumer outlives its channel: it is subscribed again when
        /// the publish channel reopens.
        var keepOnChannelClose = false
    }

    /// Where direct replies go (see `enableDirectReplies`).
    var directReplies: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation?

    init(configuration: AMQPConfiguration, logger: Logger) throws(AMQPError) {
        self.configuration = configuration
        self.logger = logger
        self.executor = WakeableSerialExecutor(label: "shipboard.amqp.\(configuration.host):\(configuration.port)")
        self.handle = try RabbitConnectionHandle()
    }

    /// Opens a connection: socket (TLS for amqps), login, control and publish channels.
    public static func connect(
        _ configuration: AMQPConfiguration,
        logger: Logger = Logger(label: "shipboard.amqp")
    ) async throws(AMQPError) -> AMQPConnection {
        let connection = try AMQPConnection(configuration: configuration, logger: logger)
        try await connection.open()
        return connection
    }

    /// True until the connection fails or is closed.
    public var isOpen: Bool { failure == nil }

    /// Runs the frame loop until the connection fails (throws) or the task is cancelled
    /// (returns). Without it nothing reads deliveries or services heartbeats between calls.
    public nonisolated func run(maxWait: Duration = .milliseconds(250)) async throws(AMQPError) {
        while !Task.isCancelled {
            try await pump(maxWait: maxWait)
        }
    }

    /// Closes channels and the connection politely; afterwards every call throws `notConnected`.
    public func close() {
        guard failure == nil else { return }
        failure = .notConnected
        _ = amqp_connection_close(handle.state, Int32(AMQP_REPLY_SUCCESS))
        finishConsumers(with: nil, connectionLost: true)
    }

    /// Marks the connection as failed, ends standalone consumers and returns the error.
    @discardableResult
    func fail(_ error: AMQPError) -> AMQPError {
        if failure == nil {
            failure = error
            logger.debug("amqp connection failed", metadata: ["amqp.reason": "\(error)"])
            finishConsumers(with: error, connectionLost: true)
            unconfirmed.removeAll()
        }
        return failure ?? error
    }

    func ensureUsable() throws(AMQPError) {
        if let failure { throw failure }
    }
}

extension AMQPConnection {
    /// Shuts the socket down under rabbitmq-c, as a network failure would (tests only): the
    /// broker sees the TCP connection end without an AMQP close, and the next read fails.
    func simulateNetworkFailure() {
        let descriptor = amqp_get_sockfd(handle.state)
        if descriptor >= 0 { shutdown(descriptor, Int32(SHUT_RDWR)) }
        executor.signal()
    }
}
