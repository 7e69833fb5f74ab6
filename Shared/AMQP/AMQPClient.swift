import Foundation
import Logging

/// A connection to RabbitMQ that stays up: it reconnects with backoff after any failure,
/// declares its topology again, and resubscribes its consumers.
///
/// `run()` owns the connection's life and must be running (e.g. as a service in a
/// `ServiceGroup`, or in a task) for anything else to work. Publishing waits for a connection
/// up to its timeout, so callers see `notConnected` during a long outage, never a hang.
public actor AMQPClient {
    public nonisolated let configuration: AMQPConfiguration
    let logger: Logger
    let backoff: Backoff
    var topology: AMQPTopology
    var connection: AMQPConnection?
    var consumers: [UUID: ConsumerRegistration] = [:]
    var attempt = 0
    var directReplies: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation?

    /// Connection life events, for logs, health checks and tests.
    public nonisolated let events: AsyncStream<Event>
    let eventContinuation: AsyncStream<Event>.Continuation

    public enum Event: Sendable, Equatable {
        case connected
        case connectionLost(String)
        case reconnectFailed(String)
    }

    /// Exponential backoff between reconnect attempts, with jitter.
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration
        public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
            self.initial = initial
            self.maximum = maximum
        }

        func delay(attempt: Int) -> Duration {
            let base = initial * (1 << min(attempt, 16))
            let capped = min(base, maximum)
            return capped * Double.random(in: 0.75...1.0)
        }
    }

    struct ConsumerRegistration {
        let queue: String
        let prefetch: UInt16
        let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
        var tag: String?
    }

    public init(
        configuration: AMQPConfiguration, topology: AMQPTopology = AMQPTopology(),
        backoff: Backoff = Backoff(), logger: Logger = Logger(label: "shipboard.amqp")
    ) {
        self.configuration = configuration
        self.topology = topology
        self.backoff = backoff
        self.logger = logger
        (events, eventContinuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(64))
    }

    /// Keeps a connection open until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let connection = try await AMQPConnection.connect(configuration, logger: logger)
                try await connection.declare(topology)
                try await resubscribe(on: connection)
                self.connection = connection
                attempt = 0
                eventContinuation.yield(.connected)
                logger.info("amqp connected", metadata: ["amqp.server": "\(configuration)"])
                do {
                    try await connection.run()
                    await connection.close()  // cancelled: shut down politely
                } catch {
                    eventContinuation.yield(.connectionLost(error.description))
                    logger.warning("amqp connection lost; reconnecting", metadata: ["amqp.reason": "\(error)"])
                }
                self.connection = nil
            } catch {
                connection = nil
                eventContinuation.yield(.reconnectFailed("\(error)"))
                // Every attempt is logged, but only every tenth loudly: an outage is one story.
                logger.log(
                    level: attempt % 10 == 0 ? .warning : .debug, "amqp connect failed; retrying",
                    metadata: ["amqp.reason": "\(error)", "amqp.attempt": "\(attempt)"])
            }
            if Task.isCancelled { break }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            try? await Task.sleep(for: delay)
        }
        connection = nil
        for registration in consumers.values { registration.continuation.finish() }
        consumers.removeAll()
        directReplies?.finish()
        eventContinuation.finish()
    }

    /// The open connection, waiting up to `timeout` for one.
    public func currentConnection(timeout: Duration = .seconds(10)) async throws(AMQPError) -> AMQPConnection {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let connection, await connection.isOpen { return connection }
            if ContinuousClock.now >= deadline || Task.isCancelled { throw AMQPError.notConnected }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Publishes a batch with publisher confirms (see `AMQPConnection.publish`), waiting up to
    /// `timeout` for a connection. Not retried here: after a failure the caller decides
    /// (the outbox republishes; consumers deduplicate by message id).
    public func publish(_ messages: [AMQPMessage], timeout: Duration = .seconds(10)) async throws(AMQPError) {
        let connection = try await currentConnection(timeout: timeout)
        try await connection.publish(messages, confirmTimeout: timeout)
    }

    /// Publishes one message with a confirm.
    public func publish(_ message: AMQPMessage, timeout: Duration = .seconds(10)) async throws(AMQPError) {
        try await publish([message], timeout: timeout)
    }

    /// Declares `more` now (if connected) and again after every reconnect.
    public func declare(_ more: AMQPTopology, timeout: Duration = .seconds(10)) async throws(AMQPError) {
        topology.merge(more)
        let connection = try await currentConnection(timeout: timeout)
        try await connection.declare(more)
    }

    /// Consumes `queue` with manual acks; the consumer survives reconnects (it is subscribed
    /// again on each new connection; unacked deliveries of a lost connection are redelivered).
    public func consume(queue: String, prefetch: UInt16, timeout: Duration = .seconds(10)) async throws(AMQPError) -> AMQPConsumer {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let id = UUID()
        var registration = ConsumerRegistration(queue: queue, prefetch: prefetch, continuation: continuation)
        let connection = try await currentConnection(timeout: timeout)
        registration.tag = try await connection.subscribe(
            queue: queue, prefetch: prefetch, continuation: continuation, finishOnConnectionLoss: false)
        consumers[id] = registration
        continuation.onTermination = { [weak self] _ in
            Task { await self?.cancel(consumer: id) }
        }
        return AMQPConsumer(id: id, deliveries: stream, client: self)
    }

    /// Stops a consumer: the broker sends no more deliveries, those already received still
    /// come out of the stream (and can be acked), then the stream ends.
    public func cancel(consumer id: UUID) async {
        guard let registration = consumers.removeValue(forKey: id) else { return }
        if let tag = registration.tag, let connection {
            await connection.cancelConsumer(tag: tag)
        }
        registration.continuation.finish()
    }

    /// Replies sent to `AMQPConnection.directReplyQueue` on any connection this client opens.
    /// Call once; publish requests with `replyTo` set to that queue through this client.
    public func directReplies(timeout: Duration = .seconds(10)) async throws(AMQPError) -> AsyncThrowingStream<AMQPDelivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        directReplies = continuation
        let connection = try await currentConnection(timeout: timeout)
        try await connection.enableDirectReplies(continuation)
        return stream
    }

    private func resubscribe(on connection: AMQPConnection) async throws(AMQPError) {
        if let directReplies { try await connection.enableDirectReplies(directReplies) }
        for (id, registration) in consumers {
            let tag = try await connection.subscribe(
                queue: registration.queue, prefetch: registration.prefetch,
                continuation: registration.continuation, finishOnConnectionLoss: false)
            consumers[id]?.tag = tag
        }
    }
}

/// A consumer created by `AMQPClient.consume`: an async sequence of deliveries that lasts
/// across reconnects until cancelled.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    public let id: UUID
    let deliveries: AsyncThrowingStream<AMQPDelivery, any Error>
    let client: AMQPClient

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        deliveries.makeAsyncIterator()
    }

    /// Stops consuming.
    public func cancel() async {
        await client.cancel(consumer: id)
    }
}
