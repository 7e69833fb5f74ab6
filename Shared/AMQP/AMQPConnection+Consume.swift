import CRabbitMQ
import Foundation

extension AMQPConnection {
    /// Starts a consumer on its own channel with manual acknowledgement and `prefetch`
    /// unacknowledged messages at most. Deliveries arrive while `run()` drives the connection;
    /// the stream ends (throwing) when the connection fails or the broker cancels the consumer.
    public func consume(queue: String, prefetch: UInt16) throws(AMQPError) -> AsyncThrowingStream<AMQPDelivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        _ = try subscribe(queue: queue, prefetch: prefetch, continuation: continuation, finishOnConnectionLoss: true)
        return stream
    }

    /// Subscribes `continuation` to `queue`; returns the consumer tag.
    func subscribe(
        queue: String, prefetch: UInt16,
        continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation,
        finishOnConnectionLoss: Bool
    ) throws(AMQPError) -> String {
        try ensureUsable()
        let channel = nextConsumerChannel
        nextConsumerChannel = nextConsumerChannel == UInt16.max ? 3 : nextConsumerChannel + 1
        try openChannel(channel)
        amqp_basic_qos(handle.state, channel, 0, prefetch, 0)
        try check(amqp_get_rpc_reply(handle.state), operation: "basic.qos", channel: channel)
        let arena = CArena()
        let ok = amqp_basic_consume(
            handle.state, channel, try arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), operation: "basic.consume", channel: channel)
        guard let tag = ok?.pointee.consumer_tag.string else {
            throw AMQPError.operationFailed(operation: "basic.consume", status: -1, reason: "no consumer tag")
        }
        consumers[tag] = ConsumerRoute(
            channel: channel, queue: queue, continuation: continuation, finishOnConnectionLoss: finishOnConnectionLoss)
        return tag
    }

    /// Stops a consumer: basic.cancel, then hands over the deliveries that were already on
    /// their way and ends the stream. The channel stays open so those can still be acked;
    /// it closes with the connection.
    func cancelConsumer(tag: String) {
        guard let route = consumers[tag] else { return }
        if failure == nil {
            let arena = CArena()
            if let bytes = try? arena.bytes(tag) {
                amqp_basic_cancel(handle.state, route.channel, bytes)
                if (try? check(amqp_get_rpc_reply(handle.state), operation: "basic.cancel", channel: route.channel)) != nil {
                    try? readAvailableFrames(limit: Int.max)
                }
            }
        }
        consumers[tag] = nil
        route.continuation.finish()
    }

    /// Acks, nacks or rejects a delivery, if its channel is still the one it came on.
    func settle(_ settlement: Settlement, tag: UInt64, channel: UInt16, epoch: UInt64) throws(AMQPError) {
        guard failure == nil, openChannels.contains(channel), channelEpochs[channel, default: 0] == epoch else {
            throw AMQPError.staleDelivery
        }
        let status: Int32 = switch settlement {
        case .ack: amqp_basic_ack(handle.state, channel, tag, 0)
        case .nack(let requeue): amqp_basic_nack(handle.state, channel, tag, 0, requeue ? 1 : 0)
        case .reject(let requeue): amqp_basic_reject(handle.state, channel, tag, requeue ? 1 : 0)
        }
        guard status == AMQPStatus.ok else {
            throw fail(.connectionLost(reason: "ack: \(AMQPStatus.describe(status))"))
        }
    }
}
