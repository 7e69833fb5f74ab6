import CRabbitMQ
import Foundation
import Glibc

extension AMQPConnection {
    /// Publishes `messages` in order on the confirm channel and waits until the broker has
    /// confirmed all of them (one round of confirms per batch).
    ///
    /// Throws the first failure: a nack, a mandatory message returned as unroutable, the
    /// channel closed by the broker (e.g. 404 for a missing exchange), a lost connection or
    /// a confirm timeout. A message without an id gets a fresh UUID so returns can be matched.
    public func publish(_ messages: [AMQPMessage], confirmTimeout: Duration = .seconds(15)) throws(AMQPError) {
        try ensureUsable()
        guard !messages.isEmpty else { return }
        if !openChannels.contains(Self.publishChannel) { try openPublishChannel() }
        publishFailures.removeAll()
        unconfirmed.removeAll()
        let channelEpoch = channelEpochs[Self.publishChannel, default: 0]
        for message in messages {
            try send(message)
            // A broker that closes the channel mid-batch ignores the rest: stop early.
            if channelEpochs[Self.publishChannel, default: 0] != channelEpoch { break }
        }
        let deadline = ContinuousClock.now + confirmTimeout
        while !unconfirmed.isEmpty && channelEpochs[Self.publishChannel, default: 0] == channelEpoch {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                let pending = unconfirmed.count
                unconfirmed.removeAll()
                throw AMQPError.confirmTimeout(pending: pending)
            }
            let slice = min(remaining, .milliseconds(200)).components
            try readFrame(timeout: timeval(tv_sec: Int(slice.seconds), tv_usec: Int(slice.attoseconds / 1_000_000_000_000)))
        }
        if let failure = publishFailures.first {
            publishFailures.removeAll()
            throw failure
        }
    }

    /// Publishes one message and waits for its confirm.
    public func publish(_ message: AMQPMessage, confirmTimeout: Duration = .seconds(15)) throws(AMQPError) {
        try publish([message], confirmTimeout: confirmTimeout)
    }

    private func send(_ message: AMQPMessage) throws(AMQPError) {
        let arena = CArena()
        var properties = message.properties
        let messageID = properties.messageID ?? UUID().uuidString
        properties.messageID = messageID
        var cProperties = try properties.cProperties(in: arena)
        let exchange = try arena.bytes(message.exchange)
        let routingKey = try arena.bytes(message.routingKey)
        guard message.routingKey.utf8.count <= 255, message.exchange.utf8.count <= 255 else {
            throw AMQPError.invalidArgument("exchange and routing key must be at most 255 bytes")
        }
        let state = handle.state
        let mandatory: amqp_boolean_t = message.mandatory ? 1 : 0
        let status = message.body.withUnsafeBytes { buffer -> Int32 in
            let body = amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return amqp_basic_publish(state, Self.publishChannel, exchange, routingKey, mandatory, 0, &cProperties, body)
        }
        guard status == AMQPStatus.ok else {
            throw fail(.connectionLost(reason: "publish: \(AMQPStatus.describe(status))"))
        }
        unconfirmed[nextPublishTag] = messageID
        nextPublishTag += 1
        // Let rabbitmq-c take in acks (and a channel.close) that are already waiting, so a
        // long batch neither fills the socket buffer nor outlives a closed channel.
        if bufferedFrames() || nextPublishTag % 64 == 0 {
            try readAvailableFrames(limit: 64)
        }
    }
}
