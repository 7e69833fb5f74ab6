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
        try closeOverdueChannels()
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
            let (properties, body) = try readContent(channel: channel)
            let delivery = AMQPDelivery(
                body: body, properties: properties, exchange: deliver.exchange.string, routingKey: deliver.routing_key.string,
                consumerTag: consumerTag, redelivered: deliver.redelivered != 0,
                deliveryTag: deliver.delivery_tag, channel: channel,
                channelEpoch: status.epoch(channel), connection: self)
            route(delivery, consumerTag: consumerTag)
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
                route.sink.finish(throwing: AMQPError.channelClosed(code: 0, reason: "broker cancelled consumer on queue '\(route.queue)'"))
            }
        case AMQPMethod.connectionBlocked:
            let blocked = decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            let reason = blocked.reason.len > 0 ? blocked.reason.string : "resource alarm"
            status.setBlocked(reason)
            onBlockedChange?(reason)
            logger.warning("amqp connection blocked by the broker; publishes wait", metadata: ["amqp.reason": "\(reason)"])
        case AMQPMethod.connectionUnblocked:
            status.setBlocked(nil)
            onBlockedChange?(nil)
            logger.info("amqp connection unblocked")
        default:
            break
        }
    }

    /// Hands a delivery to its consumer. A delivery nobody can take (consumer cancelled,
    /// reader gone, buffer full) goes back to the queue at once; one larger than
    /// `maxMessageSize` is rejected without requeue, to the queue's dead-letter route.
    private func route(_ delivery: AMQPDelivery, consumerTag: String) {
        let channel = delivery.channel
        // Nothing may be sent on a channel we closed (the broker would close the connection);
        // closing it already gave its deliveries back.
        guard openChannels.contains(channel) else { return }
        guard let route = consumers[consumerTag] else {
            _ = amqp_basic_reject(handle.state, channel, delivery.deliveryTag, 1)
            return
        }
        switch route.sink {
        case .queue(let queue):
            guard delivery.body.count <= configuration.maxMessageSize else {
                logger.error("amqp delivery larger than max_message_size; rejected without requeue (dead-lettered)", metadata: [
                    "amqp.queue": "\(route.queue)", "amqp.message_id": "\(delivery.properties.messageID ?? "-")",
                    "amqp.size": "\(delivery.body.count)", "amqp.max_message_size": "\(configuration.maxMessageSize)",
                ])
                _ = amqp_basic_reject(handle.state, channel, delivery.deliveryTag, 0)
                return
            }
            switch queue.offer(delivery) {
            case .accepted:
                consumerChannels[channel]?.unsettled += 1
            case .full:
                logger.warning("amqp consumer buffer full; delivery requeued", metadata: ["amqp.queue": "\(route.queue)"])
                _ = amqp_basic_reject(handle.state, channel, delivery.deliveryTag, 1)
            case .closed:
                _ = amqp_basic_reject(handle.state, channel, delivery.deliveryTag, 1)
            }
        case .replies(let continuation):
            guard delivery.body.count <= configuration.maxMessageSize else {
                logger.error("amqp direct reply larger than max_message_size; dropped", metadata: [
                    "amqp.size": "\(delivery.body.count)", "amqp.max_message_size": "\(configuration.maxMessageSize)",
                ])
                return
            }
            if case .dropped = continuation.yield(delivery) {
                logger.warning("amqp direct reply dropped: the reply buffer is full (is the requester reading?)", metadata: [
                    "amqp.correlation_id": "\(delivery.properties.correlationID ?? "-")",
                ])
            }
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
}
