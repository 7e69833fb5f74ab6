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
/// Guarantees:
/// - Publishing never waits on the executor for confirms: `publish` writes in one job,
///   registers a `ConfirmBatch`, and awaits it outside; the frame reader resolves it on
///   basic.ack/nack/return, channel close or connection loss, the watchdog at its deadline.
///   Several publishes may be in flight at once; deliveries and heartbeats keep flowing.
/// - While the broker blocks the connection (`connection.blocked`, a resource alarm), a
///   publish writes nothing: it waits for `connection.unblocked` until its deadline, then
///   fails with `blocked`. A write that still gets stuck (the broker stopped reading before
///   we knew) is cut off by a watchdog after `configuration.writeTimeout`: the connection fails.
/// - Consumer channels are closed once their consumer is cancelled and its deliveries are
///   settled (or after a grace period), and their numbers are reused, below channel-max.
/// - Channels: 1 carries synchronous RPCs (declarations), 2 publishes in confirm mode (and
///   the direct reply-to consumer), 3 and up carry one consumer each, so a channel error in
///   one role leaves the others open.
public actor AMQPConnection {
    let executor: WakeableSerialExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public nonisolated let configuration: AMQPConfiguration
    let handle: RabbitConnectionHandle
    let logger: Logger
    /// Failure, block and channel epochs, readable without this executor.
    nonisolated let status = ConnectionStatus()
    /// Told when the broker blocks (reason) or unblocks (nil) this connection.
    let onBlockedChange: (@Sendable (String?) -> Void)?

    /// Negotiated heartbeat in seconds (0 = off).
    var heartbeat: Int = 0
    var lastInbound = ContinuousClock.now
    /// Negotiated channel-max (the highest usable channel number).
    var channelMax: UInt16 = 2047

    static let controlChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2
    static let firstConsumerChannel: UInt16 = 3
    /// How often the watchdog checks publish deadlines and stuck writes (the precision of a deadline).
    static let watchdogTick: Duration = .milliseconds(50)
    /// How long a cancelled consumer's channel stays open for deliveries still being settled.
    static let cancelledChannelGrace: Duration = .seconds(30)
    var openChannels: Set<UInt16> = []

    // Publisher confirms on channel 2: batches in delivery-tag order.
    var nextPublishTag: UInt64 = 1
    var inflight: [InflightBatch] = []
    var returnedMessages: [String: (code: UInt16, reason: String)] = [:]

    // Consumers by consumer tag, and the state of each consumer channel.
    var consumers: [String: ConsumerRoute] = [:]
    var consumerChannels: [UInt16: ConsumerChannel] = [:]

    struct ConsumerRoute {
        let channel: UInt16
        let queue: String
        let sink: Sink
        /// Standalone consumers end with the connection; an `AMQPClient` keeps its streams
        /// open across reconnects and subscribes them again.
        let finishOnConnectionLoss: Bool
        /// The direct reply-to consumer outlives its channel: it is subscribed again when
        /// the publish channel reopens.
        var keepOnChannelClose = false
    }

    /// Where a consumer's deliveries go.
    enum Sink {
        /// Manually acknowledged deliveries of a work queue.
        case queue(DeliveryQueue)
        /// Direct replies (no-ack), bounded; a full buffer drops the reply.
        case replies(AsyncThrowingStream<AMQPDelivery, any Error>.Continuation)
    }

    /// A consumer channel's life: subscribed, paused (basic.cancel sent, channel kept for
    /// acks and a later resume) or cancelled (closed once `unsettled` reaches zero).
    struct ConsumerChannel {
        enum State { case active, paused, cancelled(closeBy: ContinuousClock.Instant) }
        var state: State = .active
        var unsettled = 0
    }

    /// Where direct replies go (see `enableDirectReplies`).
    var directReplies: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation?

    init(
        configuration: AMQPConfiguration, logger: Logger, onBlockedChange: (@Sendable (String?) -> Void)? = nil
    ) throws(AMQPError) {
        self.configuration = configuration
        self.logger = logger
        self.onBlockedChange = onBlockedChange
        self.executor = WakeableSerialExecutor(label: "shipboard.amqp.\(configuration.host):\(configuration.port)")
        self.handle = try RabbitConnectionHandle()
    }

    /// Opens a connection: socket (TLS for amqps), login, control and publish channels.
    public static func connect(
        _ configuration: AMQPConfiguration,
        logger: Logger = Logger(label: "shipboard.amqp")
    ) async throws(AMQPError) -> AMQPConnection {
        try await connect(configuration, logger: logger, onBlockedChange: nil)
    }

    static func connect(
        _ configuration: AMQPConfiguration, logger: Logger, onBlockedChange: (@Sendable (String?) -> Void)?
    ) async throws(AMQPError) -> AMQPConnection {
        let connection = try AMQPConnection(configuration: configuration, logger: logger, onBlockedChange: onBlockedChange)
        try await connection.open()
        return connection
    }

    /// True until the connection fails or is closed. Never waits for the executor.
    public nonisolated var isOpen: Bool { status.failure == nil }

    /// True while the broker blocks this connection's publishes (a resource alarm).
    public nonisolated var isBlocked: Bool { status.blockedReason != nil }

    /// Runs the frame loop until the connection fails (throws) or the task is cancelled
    /// (returns). Without it nothing reads deliveries or confirms, services heartbeats between
    /// calls, or watches for stuck writes (a publish then drives the socket itself).
    public nonisolated func run(maxWait: Duration = .milliseconds(250)) async throws(AMQPError) {
        status.setDriven(true)
        defer { status.setDriven(false) }
        // The watchdog ticks off the executor: publish deadlines and stuck writes must be
        // caught even while the executor is busy.
        let watchdog = Task { [status, logger, limit = Duration.seconds(configuration.writeTimeout)] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.watchdogTick)
                status.expireOverdue()
                if status.abortStuckWrite(olderThan: limit) {
                    logger.error(
                        "amqp write stuck (the broker stopped reading); closing the connection",
                        metadata: ["amqp.write_timeout": "\(limit)"])
                }
            }
        }
        defer { watchdog.cancel() }
        while !Task.isCancelled {
            try await pump(maxWait: maxWait)
        }
    }

    /// Closes channels and the connection politely; afterwards every call throws `notConnected`.
    public func close() {
        guard status.failure == nil else { return }
        status.markFailed(.notConnected)
        _ = amqp_connection_close(handle.state, Int32(AMQP_REPLY_SUCCESS))
        finishConsumers(with: nil)
        failInflight(.notConnected)
    }

    /// Marks the connection as failed, ends standalone consumers, fails waiting publishes and
    /// returns the error.
    @discardableResult
    func fail(_ error: AMQPError) -> AMQPError {
        guard status.failure == nil else { return status.failure ?? error }
        // Buffered deliveries go first, so that once `isLive` reads false no copy of this
        // connection is left to take out of a stream.
        finishConsumers(with: error)
        let failure = status.markFailed(error)
        logger.debug("amqp connection failed", metadata: ["amqp.reason": "\(error)"])
        failInflight(failure)
        return failure
    }

    func ensureUsable() throws(AMQPError) {
        if let failure = status.failure { throw failure }
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
