import CRabbitMQ
import Foundation
import Glibc

extension AMQPConnection {
    /// Processes what the broker sent: waits at most `maxWait` for the socket, returns early
    /// when another job is enqueued on this connection's executor. Services heartbeats and
    /// detects a silent broker (nothing received for two heartbeat intervals).
    func pump(maxWait: Duration) throws(AMQPError) {
        try ensureUsable()
        // Frames already buffered by rabbitmq-c are handled first, without blocking.
        if bufferedFrames() {
            try readAvailableFrames(limit: 512)
            return
        }
        // Order matters: drain wake-ups, then check for waiting jobs, then poll. A job
        // enqueued after the check has signalled the eventfd, so poll returns at once.
        executor.drainSignals()
        if executor.hasWaitingJobs { return }
        let descriptor = amqp_get_sockfd(handle.state)
        guard descriptor >= 0 else { throw fail(.connectionLost(reason: "socket closed")) }
        var descriptors = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: executor.wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        let budget = waitBudget(maxWait).components
        let timeoutMs = Int32(clamping: budget.seconds * 1000 + budget.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptors, 2, max(timeoutMs, 0))
        if ready < 0 && errno != EINTR {
            throw fail(.connectionLost(reason: "poll failed: errno \(errno)"))
        }
        // rabbitmq-c swallows heartbeat frames, so "the broker is alive" is judged by the
        // socket having data at all.
        if ready > 0 && descriptors[0].revents & Int16(POLLIN) != 0 { lastInbound = .now }
        // A zero-timeout read also lets rabbitmq-c send a due heartbeat.
        try readAvailableFrames(limit: 512)
        try checkHeartbeat()
    }

    /// How long `pump` may block: never past the point where the broker counts as silent.
    private func waitBudget(_ maxWait: Duration) -> Duration {
        guard heartbeat > 0 else { return maxWait }
        let silentAt = lastInbound + .seconds(heartbeat * 2)
        let untilSilent = silentAt - ContinuousClock.now
        return max(.zero, min(maxWait, untilSilent, .seconds(heartbeat) / 2))
    }

    private func checkHeartbeat() throws(AMQPError) {
        guard heartbeat > 0 else { return }
        if ContinuousClock.now - lastInbound > .seconds(heartbeat * 2) {
            throw fail(.connectionLost(reason: "no data from the broker for two heartbeat intervals (\(heartbeat * 2)s)"))
        }
    }

    func bufferedFrames() -> Bool {
        amqp_frames_enqueued(handle.state) != 0 || amqp_data_in_buffer(handle.state) != 0
    }

    /// Reads and handles frames until none is available right now (or `limit` is reached).
    func readAvailableFrames(limit: Int) throws(AMQPError) {
        var handled = 0
        while handled < limit, try readFrame(timeout: timeval(tv_sec: 0, tv_usec: 0)) {
            handled += 1
        }
    }

    /// Reads one frame within `timeout`; false when none arrived.
    @discardableResult
    func readFrame(timeout: timeval) throws(AMQPError) -> Bool {
        var frame = amqp_frame_t()
        var wait = timeout
        let status = amqp_simple_wait_frame_noblock(handle.state, &frame, &wait)
        if status == AMQPStatus.timeout { return false }
        guard status == AMQPStatus.ok else {
            throw fail(.connectionLost(reason: AMQPStatus.describe(status)))
        }
        lastInbound = .now
        try handle(frame)
        amqp_maybe_release_buffers_on_channel(handle.state, frame.channel)
        return true
    }

    private func handle(_ frame: amqp_frame_t) throws(AMQPError) {
        // Header and body frames arrive only inside amqp_read_message; stray ones are ignored.
        guard frame.frame_type == AMQP_FRAME_METHOD, let decoded = frame.payload.method.decoded else { return }
        let channel = frame.channel
        switch frame.payload.method.id {
        case AMQPMethod.basicDeliver:
            let deliver = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            let consumerTag = deliver.consumer_tag.string
            let exchange = deliver.exchange.string
            let routingKey = deliver.routing_key.string
            let (properties, body) = try readContent(channel: channel)
            let delivery = AMQPDelivery(
                body: body, properties: properties, exchange: exchange, routingKey: routingKey,
                consumerTag: consumerTag, redelivered: deliver.redelivered != 0,
                deliveryTag: deliver.delivery_tag, channel: channel,
                channelEpoch: channelEpochs[channel, default: 0], connection: self)
            if let route = consumers[consumerTag] {
                route.continuation.yield(delivery)
            } else {
                // Consumer already cancelled: give the message back at once.
                _ = amqp_basic_reject(handle.state, channel, deliver.delivery_tag, 1)
            }
        case AMQPMethod.basicAck:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirm(tag: ack.delivery_tag, multiple: ack.multiple != 0, positive: true)
        case AMQPMethod.basicNack:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            confirm(tag: nack.delivery_tag, multiple: nack.multiple != 0, positive: false)
        case AMQPMethod.basicReturn:
            let returned = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let code = returned.reply_code
            let reason = returned.reply_text.string
            let (properties, _) = try readContent(channel: channel)
            // The broker sends basic.return before the basic.ack of the same message.
            returnedMessages[properties.messageID ?? "", default: (code, reason)] = (code, reason)
        case AMQPMethod.channelClose:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            channelWasClosed(channel, error: .channelClosed(code: close.reply_code, reason: close.reply_text.string), answer: true)
        case AMQPMethod.connectionClose:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            answerConnectionClose()
            throw fail(.connectionLost(reason: "broker closed the connection (\(close.reply_code)): \(close.reply_text.string)"))
        case AMQPMethod.basicCancel:
            let cancel = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            let tag = cancel.consumer_tag.string
            if let route = consumers.removeValue(forKey: tag) {
                route.continuation.finish(throwing: AMQPError.channelClosed(code: 0, reason: "broker cancelled consumer on queue '\(route.queue)'"))
            }
        case AMQPMethod.connectionBlocked:
            logger.warning("amqp connection blocked by broker (resource alarm)")
        case AMQPMethod.connectionUnblocked:
            logger.info("amqp connection unblocked")
        default:
            break
        }
    }

    /// Reads the content header and body frames that follow basic.deliver / basic.return.
    private func readContent(channel: UInt16) throws(AMQPError) -> (AMQPProperties, Data) {
        var message = amqp_message_t()
        let reply = amqp_read_message(handle.state, channel, &message, 0)
        try check(reply, operation: "read message", channel: channel)
        defer { amqp_destroy_message(&message) }
        return (AMQPProperties(message.properties), message.body.data)
    }

    private func confirm(tag: UInt64, multiple: Bool, positive: Bool) {
        let tags = multiple ? unconfirmed.keys.filter { $0 <= tag } : [tag]
        for settled in tags {
            guard let messageID = unconfirmed.removeValue(forKey: settled) else { continue }
            if !positive {
                publishFailures.append(.publishNacked(messageID: messageID))
            } else if let returned = returnedMessages.removeValue(forKey: messageID) {
                publishFailures.append(.publishReturned(messageID: messageID, code: returned.code, reason: returned.reason))
            }
        }
    }
}
