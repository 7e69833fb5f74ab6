import CRabbitMQ
import Foundation
import Logging

extension AMQPConnection {
    /// Starts a consumer on its own channel with manual acknowledgement and `prefetch`
    /// unacknowledged messages at most. Deliveries arrive while `run()` drives the connection;
    /// the sequence ends (throwing) when the connection fails or the broker cancels the
    /// consumer. Dropping the sequence (and its iterators) cancels the consumer and requeues
    /// what it still buffers.
    public func consume(queue: String, prefetch: UInt16) throws(AMQPError) -> AMQPDeliveries {
        let deliveries = DeliveryQueue(capacity: Self.bufferCapacity(prefetch: prefetch))
        let subscription = try subscribe(queue: queue, prefetch: prefetch, deliveries: deliveries, finishOnConnectionLoss: true)
        deliveries.setOnTermination { [weak self] in
            Task { await self?.cancelConsumer(channel: subscription.channel, tag: subscription.tag) }
        }
        return AMQPDeliveries(queue: deliveries)
    }

    /// With manual acks the broker sends at most `prefetch` unacknowledged deliveries, so a
    /// buffer that size never overflows (0 = unlimited prefetch gets a generous bound).
    static func bufferCapacity(prefetch: UInt16) -> Int {
        prefetch == 0 ? 10_000 : Int(prefetch)
    }

    /// A consumer's tag and channel on this connection.
    struct Subscription: Sendable {
        let tag: String
        let channel: UInt16
    }

    /// Subscribes `deliveries` to `queue` on a free channel (numbers are reused, always below
    /// the negotiated channel-max).
    func subscribe(
        queue: String, prefetch: UInt16, deliveries: DeliveryQueue, finishOnConnectionLoss: Bool
    ) throws(AMQPError) -> Subscription {
        try ensureUsable()
        let channel = try freeConsumerChannel()
        try openChannel(channel)
        consumerChannels[channel] = ConsumerChannel()
        do {
            amqp_basic_qos(handle.state, channel, 0, prefetch, 0)
            try check(amqp_get_rpc_reply(handle.state), operation: "basic.qos", channel: channel)
            let tag = try basicConsume(queue: queue, channel: channel, deliveries: deliveries, finishOnConnectionLoss: finishOnConnectionLoss)
            return Subscription(tag: tag, channel: channel)
        } catch {
            // A refused subscription (404, 403) already closed the channel at the broker.
            if openChannels.contains(channel) && status.failure == nil { closeConsumerChannel(channel) }
            consumerChannels[channel] = nil
            throw error
        }
    }

    private func basicConsume(
        queue: String, channel: UInt16, deliveries: DeliveryQueue, finishOnConnectionLoss: Bool
    ) throws(AMQPError) -> String {
        let arena = CArena()
        let ok = amqp_basic_consume(
            handle.state, channel, try arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), operation: "basic.consume", channel: channel)
        guard let tag = ok?.pointee.consumer_tag.string else {
            throw AMQPError.operationFailed(operation: "basic.consume", status: -1, reason: "no consumer tag")
        }
        consumers[tag] = ConsumerRoute(
            channel: channel, queue: queue, sink: .queue(deliveries), finishOnConnectionLoss: finishOnConnectionLoss)
        consumerChannels[channel, default: ConsumerChannel()].state = .active
        return tag
    }

    /// The lowest consumer channel number not in use.
    private func freeConsumerChannel() throws(AMQPError) -> UInt16 {
        var candidate = Self.firstConsumerChannel
        while candidate <= channelMax {
            if !openChannels.contains(candidate) && consumerChannels[candidate] == nil { return candidate }
            candidate += 1
        }
        throw AMQPError.invalidArgument("all channels up to the negotiated channel-max \(channelMax) are in use")
    }

    /// Pauses a consumer: basic.cancel, so the broker sends no more; deliveries already on
    /// their way still reach the stream, and every delivery received stays unacked and can
    /// be settled. The channel stays open for that and for `resume`.
    func pauseConsumer(tag: String) {
        guard let route = consumers[tag] else { return }
        basicCancel(tag: tag, channel: route.channel)
        consumers[tag] = nil
        consumerChannels[route.channel]?.state = .paused
    }

    /// Subscribes a paused consumer again on its channel (or a new one if that closed).
    func resumeConsumer(
        channel: UInt16, queue: String, prefetch: UInt16, deliveries: DeliveryQueue, finishOnConnectionLoss: Bool
    ) throws(AMQPError) -> Subscription {
        try ensureUsable()
        guard openChannels.contains(channel), let state = consumerChannels[channel]?.state, case .paused = state else {
            return try subscribe(queue: queue, prefetch: prefetch, deliveries: deliveries, finishOnConnectionLoss: finishOnConnectionLoss)
        }
        let tag = try basicConsume(queue: queue, channel: channel, deliveries: deliveries, finishOnConnectionLoss: finishOnConnectionLoss)
        return Subscription(tag: tag, channel: channel)
    }

    /// Stops a consumer for good: basic.cancel (if subscribed), hands over the deliveries
    /// already on their way, ends the stream. The channel closes once every delivery is
    /// settled (or after `cancelledChannelGrace`); its number is then free again.
    func cancelConsumer(channel: UInt16, tag: String?) {
        if let tag, let route = consumers[tag] {
            basicCancel(tag: tag, channel: channel)
            consumers[tag] = nil
            route.sink.finish(throwing: nil)
        }
        guard consumerChannels[channel] != nil else { return }
        consumerChannels[channel]?.state = .cancelled(closeBy: .now + Self.cancelledChannelGrace)
        if consumerChannels[channel]?.unsettled == 0 { closeConsumerChannel(channel) }
    }

    /// basic.cancel, then reads the frames that arrived meanwhile (deliveries sent before the
    /// broker saw the cancel), while the route still exists, so they reach the stream.
    private func basicCancel(tag: String, channel: UInt16) {
        guard status.failure == nil, openChannels.contains(channel) else { return }
        let arena = CArena()
        guard let bytes = try? arena.bytes(tag) else { return }
        amqp_basic_cancel(handle.state, channel, bytes)
        if (try? check(amqp_get_rpc_reply(handle.state), operation: "basic.cancel", channel: channel)) != nil {
            try? readAvailableFrames(limit: Int.max)
        }
    }

    /// Closes a consumer channel; the broker requeues whatever is still unacked on it.
    func closeConsumerChannel(_ channel: UInt16) {
        consumerChannels[channel] = nil
        guard openChannels.contains(channel) else { return }
        openChannels.remove(channel)
        status.bumpEpoch(channel)
        guard status.failure == nil else { return }
        let reply = amqp_channel_close(handle.state, channel, Int32(AMQP_REPLY_SUCCESS))
        try? check(reply, operation: "channel.close", channel: channel)
    }

    /// Closes cancelled consumers' channels whose grace period is over (called by `pump`).
    func closeOverdueChannels() throws(AMQPError) {
        guard !consumerChannels.isEmpty else { return }
        let now = ContinuousClock.now
        for (channel, state) in consumerChannels {
            if case .cancelled(let closeBy) = state.state, closeBy <= now {
                logger.warning("amqp closing a cancelled consumer's channel with deliveries still unsettled; the broker requeues them",
                               metadata: ["amqp.channel": "\(channel)", "amqp.unsettled": "\(state.unsettled)"])
                closeConsumerChannel(channel)
            }
        }
        try ensureUsable()
    }

    /// Acks, nacks or rejects a delivery, if its channel is still the one it came on.
    func settle(_ settlement: Settlement, tag: UInt64, channel: UInt16, epoch: UInt64) throws(AMQPError) {
        guard status.isLive(channel: channel, epoch: epoch), openChannels.contains(channel) else {
            throw AMQPError.staleDelivery
        }
        let result: Int32 = switch settlement {
        case .ack: amqp_basic_ack(handle.state, channel, tag, 0)
        case .nack(let requeue): amqp_basic_nack(handle.state, channel, tag, 0, requeue ? 1 : 0)
        case .reject(let requeue): amqp_basic_reject(handle.state, channel, tag, requeue ? 1 : 0)
        }
        guard result == AMQPStatus.ok else {
            throw fail(.connectionLost(reason: "ack: \(AMQPStatus.describe(result))"))
        }
        guard var state = consumerChannels[channel] else { return }
        state.unsettled = max(0, state.unsettled - 1)
        consumerChannels[channel] = state
        if state.unsettled == 0, case .cancelled = state.state { closeConsumerChannel(channel) }
    }
}

extension AMQPConnection {
    /// Deliveries handed to consumers on this connection and not yet settled.
    var unsettledDeliveries: Int { consumerChannels.values.reduce(0) { $0 + $1.unsettled } }
}

extension AMQPConnection.Sink {
    /// Ends the consumer's stream (a client's reply stream is left open: it outlives connections).
    func finish(throwing error: (any Error)?, dropBuffered: Bool = false) {
        switch self {
        case .queue(let deliveries): deliveries.finish(throwing: error, dropBuffered: dropBuffered)
        case .replies: break
        }
    }
}
