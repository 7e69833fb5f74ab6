import AMQP
import Contracts
import Foundation
import Logging

/// Sends commands and waits for their replies over RabbitMQ direct reply-to.
///
/// Every request has a deadline (`timeout` from now), carried in the envelope so the
/// service does not execute it after the caller gave up. The caller gets:
/// - the result, or the typed `CommandError` the handler answered;
/// - `.unavailable` when the request was certainly not sent: the broker could not take it
///   (no connection within the deadline, blocked by a resource alarm, unroutable);
/// - `.timeout` when it was sent (or may have been) and no reply came by the deadline.
///
/// While it waits, the request is resent with the same envelope (same id: the service's
/// inbox answers a repeat with the stored reply instead of executing it again) whenever the
/// outcome of a publish is unknown (confirm lost, connection dropped) or no reply came
/// within `resendAfter`. A reply stream that ends is reopened at once (and on the next
/// request); a reply after the deadline is ignored. One timer serves every waiting request
/// (armed for the earliest resend or deadline, stopped when none waits), so a request costs
/// no timer of its own. It never waits past the deadline. Use one per `AMQPClient`: the client has one reply
/// stream, and a second RequestClient opening its own would end the first one's.
public actor RequestClient {
    let amqp: AMQPClient
    let logger: Logger
    /// The exchange commands are published to.
    private let exchange: String
    private let resendAfter: Duration
    /// Requests waiting for their reply, by the correlation id their reply will carry.
    private var pending: [String: PendingRequest] = [:]
    /// The one timer: when it fires, due resends go out and expired requests time out.
    private var timer: (task: Task<Void, Never>, fires: ContinuousClock.Instant, generation: UInt64)?
    private var timerGeneration: UInt64 = 0
    private var listening: Task<Void, Never>?

    /// `exchange` is `shipboard.commands` in production; tests and benchmarks pass one of
    /// their own so that their consumers never answer each other's commands.
    public init(
        amqp: AMQPClient, exchange: String = Exchanges.commands, resendAfter: Duration = .seconds(2),
        logger: Logger = Logger(label: "shipboard.requests")
    ) {
        self.amqp = amqp
        self.exchange = exchange
        self.resendAfter = resendAfter
        self.logger = logger
    }

    /// Requests waiting for a reply, and timers still running (for tests and metrics).
    public var inFlight: (requests: Int, timers: Int) { (pending.count, timer == nil ? 0 : 1) }

    /// Sends `envelope` to its service and returns the result, or throws the typed error.
    /// `trace`, when given, travels as the AMQP header `traceparent` (the consumer logs it).
    public func send<Command: CommandContract>(
        _ envelope: Envelope<Command>, timeout: Duration = .seconds(10), trace: TraceParent? = nil
    ) async throws(CommandError) -> Command.Result {
        let deadline = ContinuousClock.now + timeout
        var envelope = envelope
        let wallDeadline = Date().addingTimeInterval(Self.seconds(timeout))
        envelope.deadline = min(envelope.deadline ?? wallDeadline, wallDeadline)
        do {
            try await startListening()
        } catch {
            throw CommandError(.unavailable, "the message broker is not available")
        }
        let body: Data
        do {
            body = try ContractCoding.encode(envelope)
        } catch {
            throw CommandError(.validation, "the command cannot be encoded")
        }
        let requestID = UUID().uuidString
        let message = AMQPMessage(
            exchange: exchange, routingKey: Command.routingKey, body: body,
            properties: AMQPProperties(
                messageID: envelope.id.uuidString.lowercased(), correlationID: requestID, type: Command.messageType,
                replyTo: AMQPConnection.directReplyQueue, timestamp: envelope.occurredAt,
                headers: trace.map { [TraceParent.header: .string($0.description)] } ?? [:]),
            mandatory: true)
        let replyData: Data
        do {
            replyData = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    pending[requestID] = PendingRequest(
                        continuation: continuation, message: message, deadline: deadline, type: Command.messageType)
                    startAttempt(requestID)
                    armTimer(for: deadline)
                }
            } onCancel: {
                Task { await self.fail(requestID, with: CommandError(.timeout, "the request was cancelled by its caller")) }
            }
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.internal, "request failed")
        }
        do {
            return try ContractCoding.decode(CommandReply<Command.Result>.self, from: replyData).get()
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.internal, "the reply to \(Command.messageType) is malformed")
        }
    }

    /// Publishes `requestID`'s message once (in its own task: the caller is suspended on its
    /// continuation). Afterwards the timer resends it while no reply came.
    private func startAttempt(_ requestID: String) {
        guard pending[requestID]?.publishing == false else { return }
        pending[requestID]?.publishing = true
        Task { await self.attempt(requestID) }
    }

    private func attempt(_ requestID: String) async {
        guard let request = pending[requestID] else { return }
        let remaining = request.deadline - .now
        guard remaining > .zero else { return fail(requestID, with: CommandError(.timeout, "no reply to \(request.type) in time")) }
        var pause = resendAfter
        var sent = request.sent
        do {
            try await amqp.publish(request.message, timeout: remaining)
            sent = true
        } catch let error where Self.certainlyNotSent(error) {
            // Not taken by the broker. If an earlier copy was, its outcome is still open.
            guard sent else {
                return fail(requestID, with: CommandError(.unavailable, "the request could not be sent: \(error)"))
            }
            pause = .milliseconds(200)
        } catch {
            // The broker may have taken it (confirm lost, connection dropped): resend soon.
            sent = true
            pause = .milliseconds(200)
            logger.debug("request outcome unknown; resending", metadata: ["request.type": "\(request.type)", "error": "\(error)"])
        }
        // The reply may have come (or the deadline passed) while the publish was confirmed.
        guard pending[requestID] != nil else { return }
        pending[requestID]?.sent = sent
        pending[requestID]?.publishing = false
        pending[requestID]?.nextAttempt = .now + pause
        if let due = pending[requestID]?.due { armTimer(for: due) }
    }

    /// Makes the timer fire by `due`. Invariant: while requests wait, the timer fires no
    /// later than the earliest of their resends and deadlines (a later one needs no change).
    private func armTimer(for due: ContinuousClock.Instant) {
        if let timer, timer.fires <= due { return }
        timer?.task.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        // Weak: a sleeping timer must not keep a closed client alive.
        let task = Task { [weak self] in
            try? await Task.sleep(until: due, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.timerFired(generation)
        }
        timer = (task, due, generation)
    }

    private func timerFired(_ generation: UInt64) {
        guard timer?.generation == generation else { return }
        timer = nil
        let now = ContinuousClock.now
        for (requestID, request) in pending {
            if request.deadline <= now {
                fail(requestID, with: CommandError(.timeout, "no reply to \(request.type) in time"))
            } else if !request.publishing, request.nextAttempt <= now {
                startAttempt(requestID)
            }
        }
        if let due = pending.values.map(\.due).min() { armTimer(for: due) }
    }

    /// Stops the timer once nothing waits.
    private func stopTimerWhenIdle() {
        guard pending.isEmpty else { return }
        timer?.task.cancel()
        timer = nil
    }

    /// True when `error` proves no queue took the message: nothing was written for it
    /// (no connection, a blocked broker, refused locally), or the broker answered that it
    /// routed it nowhere (returned) or could not take it (nacked).
    static func certainlyNotSent(_ error: AMQPError) -> Bool {
        switch error {
        case .publishReturned, .publishNacked: true
        default: error.certainlyNotSent
        }
    }

    private func fail(_ requestID: String, with error: CommandError) {
        pending.removeValue(forKey: requestID)?.continuation.resume(throwing: error)
        stopTimerWhenIdle()
    }

    private func complete(_ requestID: String, with data: Data) {
        // A reply after the timeout finds nothing pending and is dropped.
        pending.removeValue(forKey: requestID)?.continuation.resume(returning: data)
        stopTimerWhenIdle()
    }

    private func startListening() async throws {
        guard listening == nil else { return }
        let replies = try await amqp.directReplies()
        listening = Task { [weak self, logger] in
            do {
                for try await reply in replies {
                    guard let id = reply.properties.correlationID else { continue }
                    await self?.complete(id, with: reply.body)
                }
            } catch {
                logger.warning("reply stream ended", metadata: ["error": "\(error)"])
            }
            await self?.replyStreamEnded()
        }
    }

    /// Reopens the reply stream at once when requests wait; otherwise the next request does.
    private func replyStreamEnded() async {
        listening = nil
        guard !pending.isEmpty else { return }
        try? await Task.sleep(for: .milliseconds(100))  // never a busy loop
        guard listening == nil else { return }
        do {
            try await startListening()
        } catch {
            logger.warning("could not reopen the reply stream; the next request tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Stops listening; pending requests fail as unavailable.
    public func close() {
        listening?.cancel()
        for id in Array(pending.keys) { fail(id, with: CommandError(.unavailable, "the request client closed")) }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A request waiting for its reply.
private struct PendingRequest {
    let continuation: CheckedContinuation<Data, any Error>
    let message: AMQPMessage
    let deadline: ContinuousClock.Instant
    let type: String
    /// True once a copy may have reached the broker (then "not sent" is no longer certain).
    var sent = false
    /// True while a publish of it awaits the broker's confirm.
    var publishing = false
    /// When to resend if no reply came; set after each publish.
    var nextAttempt: ContinuousClock.Instant

    init(continuation: CheckedContinuation<Data, any Error>, message: AMQPMessage, deadline: ContinuousClock.Instant, type: String) {
        self.continuation = continuation
        self.message = message
        self.deadline = deadline
        self.type = type
        self.nextAttempt = deadline
    }

    /// When the timer must look at it next.
    var due: ContinuousClock.Instant { publishing ? deadline : min(nextAttempt, deadline) }
}
