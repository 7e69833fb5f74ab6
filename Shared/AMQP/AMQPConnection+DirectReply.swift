import CRabbitMQ
import Foundation

extension AMQPConnection {
    /// RabbitMQ's pseudo-queue for direct reply-to.
    public static let directReplyQueue = "amq.rabbitmq.reply-to"

    /// Receives replies sent to `amq.rabbitmq.reply-to` (set it as a request's `replyTo`).
    ///
    /// RabbitMQ requires the reply consumer to be no-ack and on the same channel that
    /// publishes the requests, so it lives on the publish channel and is subscribed again
    /// whenever that channel is reopened. Replies need no ack.
    /// Idempotent: RabbitMQ allows one reply consumer per channel (a second is a 406); a new
    /// continuation replaces the previous one on the existing consumer.
    func enableDirectReplies(_ continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation) throws(AMQPError) {
        try ensureUsable()
        directReplies = continuation
        for (tag, route) in consumers where route.queue == Self.directReplyQueue {
            consumers[tag] = ConsumerRoute(
                channel: route.channel, queue: route.queue, sink: .replies(continuation),
                finishOnConnectionLoss: false, keepOnChannelClose: true)
        }
        if !openChannels.contains(Self.publishChannel) {
            try openPublishChannel()  // subscribes the reply consumer too
        } else {
            try subscribeDirectReplies()
        }
    }

    func subscribeDirectReplies() throws(AMQPError) {
        guard let continuation = directReplies else { return }
        let alreadySubscribed = consumers.values.contains {
            $0.channel == Self.publishChannel && $0.queue == Self.directReplyQueue
        }
        guard !alreadySubscribed else { return }
        let arena = CArena()
        let ok = amqp_basic_consume(
            handle.state, Self.publishChannel, try arena.bytes(Self.directReplyQueue), amqp_empty_bytes, 0, 1, 0,
            amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), operation: "basic.consume reply-to", channel: Self.publishChannel)
        guard let tag = ok?.pointee.consumer_tag.string else {
            throw AMQPError.operationFailed(operation: "basic.consume reply-to", status: -1, reason: "no consumer tag")
        }
        consumers[tag] = ConsumerRoute(
            channel: Self.publishChannel, queue: Self.directReplyQueue, sink: .replies(continuation),
            finishOnConnectionLoss: false, keepOnChannelClose: true)
    }
}
