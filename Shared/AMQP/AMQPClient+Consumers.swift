import Foundation
import Logging

extension AMQPClient {
    /// A consumer as the client keeps it across connections.
    struct ConsumerRegistration {
        let queue: String
        let prefetch: UInt16
        let deliveries: DeliveryQueue
        /// Paused by the owner: not subscribed now, nor after a reconnect, until resumed.
        var paused = false
        /// Where it is subscribed (or paused with its channel kept), if anywhere.
        var connection: AMQPConnection?
        var tag: String?
        var channel: UInt16?
    }

    /// Consumes `queue` with manual acks; the consumer survives reconnects (it is subscribed
    /// again on each new consuming connection; unacked deliveries of a lost connection are
    /// redelivered, and copies still buffered are dropped). Waits up to `timeout` for a connection.
    public func consume(queue: String, prefetch: UInt16, timeout: Duration = .seconds(10)) async throws(AMQPError) -> AMQPConsumer {
        let deadline = ContinuousClock.now + timeout
        let id = UUID()
        let deliveries = DeliveryQueue(capacity: AMQPConnection.bufferCapacity(prefetch: prefetch))
        var registered = false
        while !registered {
            let connection = try await connection(.consuming, until: deadline)
            registered = try await register(id, queue: queue, prefetch: prefetch, deliveries: deliveries, on: connection)
        }
        deliveries.setOnTermination { [weak self] in
            Task { await self?.cancel(consumer: id) }
        }
        return AMQPConsumer(id: id, deliveries: AMQPDeliveries(queue: deliveries), client: self)
    }

    /// Subscribes and records a new consumer on `connection`; false when that is no longer
    /// the consuming connection (the caller takes the new one). A connection that fails under
    /// the subscribe still records it: the next connection subscribes it.
    private func register(
        _ id: UUID, queue: String, prefetch: UInt16, deliveries: DeliveryQueue, on connection: AMQPConnection
    ) async throws(AMQPError) -> Bool {
        await lockConsumerOperations()
        defer { unlockConsumerOperations() }
        guard connection === consuming else { return false }
        var registration = ConsumerRegistration(queue: queue, prefetch: prefetch, deliveries: deliveries)
        let outcome: Result<AMQPConnection.Subscription, AMQPError>
        do {
            outcome = .success(try await connection.subscribe(
                queue: queue, prefetch: prefetch, deliveries: deliveries, finishOnConnectionLoss: false))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let subscription):
            registration.connection = connection
            registration.tag = subscription.tag
            registration.channel = subscription.channel
        case .failure(let error):
            guard error.isConnectionError else { throw error }
        }
        consumers[id] = registration
        return true
    }

    /// Stops a consumer: the broker sends no more deliveries, those already received still
    /// come out of the stream (and can be acked), then the stream ends. Its channel closes
    /// once they are settled.
    public func cancel(consumer id: UUID) async {
        await lockConsumerOperations()
        defer { unlockConsumerOperations() }
        guard let registration = consumers.removeValue(forKey: id) else { return }
        if let connection = registration.connection, let channel = registration.channel {
            await connection.cancelConsumer(channel: channel, tag: registration.tag)
        }
        registration.deliveries.finish()
    }

    /// Pauses a consumer (basic.cancel): the broker sends nothing more; deliveries already
    /// received stay unacked and can still be acked or nacked; a reconnect does not subscribe
    /// it again. `resume` undoes it.
    public func pause(consumer id: UUID) async {
        await lockConsumerOperations()
        defer { unlockConsumerOperations() }
        guard let registration = consumers[id], !registration.paused else { return }
        consumers[id]?.paused = true
        if let connection = registration.connection, let tag = registration.tag {
            consumers[id]?.tag = nil
            await connection.pauseConsumer(tag: tag)
        }
        logger.info("amqp consumer paused", metadata: ["amqp.queue": "\(registration.queue)"])
    }

    /// Subscribes a paused consumer again: now if the consuming connection is up (on its old
    /// channel when that is still open), otherwise when it is back.
    public func resume(consumer id: UUID) async {
        await lockConsumerOperations()
        defer { unlockConsumerOperations() }
        guard let registration = consumers[id], registration.paused else { return }
        consumers[id]?.paused = false
        guard let consuming, consuming.isOpen else { return }
        do {
            let subscription: AMQPConnection.Subscription
            if registration.connection === consuming, let channel = registration.channel {
                subscription = try await consuming.resumeConsumer(
                    channel: channel, queue: registration.queue, prefetch: registration.prefetch,
                    deliveries: registration.deliveries, finishOnConnectionLoss: false)
            } else {
                subscription = try await consuming.subscribe(
                    queue: registration.queue, prefetch: registration.prefetch,
                    deliveries: registration.deliveries, finishOnConnectionLoss: false)
            }
            consumers[id]?.connection = consuming
            consumers[id]?.tag = subscription.tag
            consumers[id]?.channel = subscription.channel
            logger.info("amqp consumer resumed", metadata: ["amqp.queue": "\(registration.queue)"])
        } catch {
            // A lost connection subscribes it on reconnect; a refusal is logged for the operator.
            consumers[id]?.connection = nil
            consumers[id]?.tag = nil
            consumers[id]?.channel = nil
            logger.log(level: error.isPermanent ? .error : .warning, "amqp consumer could not resume", metadata: [
                "amqp.queue": "\(registration.queue)", "amqp.reason": "\(error)",
                "amqp.advice": "\(error.operatorAdvice ?? "it is subscribed again on the next connection")",
            ])
        }
    }

    /// Subscribes every consumer that is not paused on a new consuming connection (caller holds the lock).
    func resubscribe(on connection: AMQPConnection) async throws(AMQPError) {
        for (id, registration) in consumers where !registration.paused {
            let subscription = try await connection.subscribe(
                queue: registration.queue, prefetch: registration.prefetch,
                deliveries: registration.deliveries, finishOnConnectionLoss: false)
            consumers[id]?.connection = connection
            consumers[id]?.tag = subscription.tag
            consumers[id]?.channel = subscription.channel
        }
    }

    func lockConsumerOperations() async {
        guard consumerOperationsBusy else {
            consumerOperationsBusy = true
            return
        }
        // Ownership passes straight to the woken waiter (the flag stays set).
        await withCheckedContinuation { consumerOperationWaiters.append($0) }
    }

    func unlockConsumerOperations() {
        if consumerOperationWaiters.isEmpty {
            consumerOperationsBusy = false
        } else {
            consumerOperationWaiters.removeFirst().resume()
        }
    }
}
