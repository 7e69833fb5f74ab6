import Foundation
import Logging

/// A RabbitMQ client that stays up: two connections, one for publishing (publishes and
/// direct reply-to) and one for consuming (consumers and their acks), each reconnected on
/// its own with backoff, topology declared again, consumers and the reply consumer
/// subscribed again.
///
/// Why two: under a resource alarm the broker stops reading from every connection that
/// publishes; acks sent on such a connection would wait for the alarm to clear. The consuming
/// connection never publishes, so it is never blocked: consumers keep acking while publishes wait.
///
/// - `run()` owns both connections' lives and must be running (e.g. as a service in a
///   `ServiceGroup`, or in a task) for anything else to work.
/// - Publishing waits for a connection and for an unblock up to its timeout, so callers see
///   `notConnected`, `blocked` or `confirmTimeout` during an outage, never a hang.
/// - Permanent refusals (login refused, 403, 406 on re-declaring) are logged as errors with
///   what to do; reconnecting keeps trying with backoff.
public actor AMQPClient {
    public nonisolated let configuration: AMQPConfiguration
    let logger: Logger
    let backoff: Backoff
    var topology: AMQPTopology
    /// The current connections (written by `maintain`, read anywhere).
    nonisolated let slots = ConnectionSlots()
    var publishing: AMQPConnection? {
        get { slots.publishing }
        set { slots.publishing = newValue }
    }
    var consuming: AMQPConnection? {
        get { slots.consuming }
        set { slots.consuming = newValue }
    }
    var consumers: [UUID: ConsumerRegistration] = [:]
    var directReplies: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation?
    /// Serializes subscribe, pause, resume, cancel and resubscribe-after-reconnect, which
    /// await the consuming connection and must not interleave.
    var consumerOperationsBusy = false
    var consumerOperationWaiters: [CheckedContinuation<Void, Never>] = []

    /// Connection life events, for logs, health checks and tests.
    public nonisolated let events: AsyncStream<Event>
    let eventContinuation: AsyncStream<Event>.Continuation

    public enum Event: Sendable, Equatable {
        /// One of the two connections came up.
        case connected
        case connectionLost(String)
        case reconnectFailed(String)
        /// The broker blocked the publishing connection (reason, e.g. "low on memory").
        case blocked(String)
        case unblocked
    }

    /// The two connections' jobs.
    public enum Role: String, Sendable {
        case publishing, consuming
    }

    /// Replies buffered for a requester that does not read them fast enough; more are dropped (and logged).
    public static let directReplyBufferLimit = 1024

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

    /// Keeps both connections open until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.maintain(.publishing) }
            group.addTask { await self.maintain(.consuming) }
        }
        for registration in consumers.values { registration.deliveries.finish() }
        consumers.removeAll()
        directReplies?.finish()
        eventContinuation.finish()
    }

    /// True while both connections are up (a service's broker readiness).
    public var isReady: Bool {
        publishing?.isOpen == true && consuming?.isOpen == true
    }

    /// True while the broker blocks the publishing connection (a resource alarm).
    public var isBlocked: Bool {
        publishing?.isBlocked ?? false
    }

    /// The consuming connection, for declarations and queue inspection (it never publishes,
    /// so it is never blocked); waits up to `timeout` until both connections are up.
    public func currentConnection(timeout: Duration = .seconds(10)) async throws(AMQPError) -> AMQPConnection {
        let deadline = ContinuousClock.now + timeout
        while true {
            if isReady, let consuming { return consuming }
            if ContinuousClock.now >= deadline || Task.isCancelled { throw AMQPError.notConnected }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The open connection for `role`, waiting until `deadline` for one.
    nonisolated func connection(_ role: Role, until deadline: ContinuousClock.Instant) async throws(AMQPError) -> AMQPConnection {
        while true {
            let connection = role == .publishing ? slots.publishing : slots.consuming
            if let connection, connection.isOpen { return connection }
            if ContinuousClock.now >= deadline || Task.isCancelled { throw AMQPError.notConnected }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Publishes a batch with publisher confirms (see `AMQPConnection.publish`) on the
    /// publishing connection; `timeout` bounds everything: waiting for a connection, for the
    /// broker to unblock it, and for the confirms. Not retried here: after a failure the
    /// caller decides (the outbox republishes; consumers deduplicate by message id).
    /// Does not pass through the client actor: a publish goes from its caller to the connection.
    public nonisolated func publish(_ messages: [AMQPMessage], timeout: Duration = .seconds(10)) async throws(AMQPError) {
        let deadline = ContinuousClock.now + timeout
        for message in messages { try message.validate(maxMessageSize: configuration.maxMessageSize) }
        let connection = try await connection(.publishing, until: deadline)
        try await connection.publish(messages, deadline: deadline, validated: true)
    }

    /// Publishes one message with a confirm.
    public nonisolated func publish(_ message: AMQPMessage, timeout: Duration = .seconds(10)) async throws(AMQPError) {
        try await publish([message], timeout: timeout)
    }

    /// Declares `more` now (on the consuming connection, which an alarm never blocks) and
    /// again on both connections after every reconnect.
    public func declare(_ more: AMQPTopology, timeout: Duration = .seconds(10)) async throws(AMQPError) {
        topology.merge(more)
        let connection = try await connection(.consuming, until: .now + timeout)
        try await connection.declare(more)
    }

    /// Replies sent to `AMQPConnection.directReplyQueue` in answer to requests published
    /// through this client (the reply consumer lives on the publishing connection). A second
    /// call replaces the stream (the previous one ends). The stream buffers at most
    /// `directReplyBufferLimit` replies; more are dropped and logged.
    public func directReplies(timeout: Duration = .seconds(10)) async throws(AMQPError) -> AsyncThrowingStream<AMQPDelivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.directReplyBufferLimit))
        directReplies?.finish()
        directReplies = continuation
        let connection = try await connection(.publishing, until: .now + timeout)
        try await connection.enableDirectReplies(continuation)
        return stream
    }
}
