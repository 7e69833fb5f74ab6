import CRabbitMQ
import Foundation
import Glibc

extension AMQPConnection {
    /// Publishes `messages` in order on the confirm channel and waits until the broker has
    /// confirmed all of them, at most `confirmTimeout` (the wait for an unblock included).
    ///
    /// Throws the first failure: `invalidArgument` (checked before anything is written:
    /// property and name lengths, body size), `blocked` (the broker blocked the connection and
    /// did not unblock it in time; nothing written), a nack, a mandatory message returned as
    /// unroutable, the channel closed by the broker (e.g. 404 for a missing exchange), a lost
    /// connection or a confirm timeout. A message without an id gets a fresh UUID so returns
    /// can be matched.
    ///
    /// While `run()` drives the connection, the writes happen in one job on the executor and
    /// the wait outside it; without `run()`, the publish reads the confirms itself.
    public nonisolated func publish(_ messages: [AMQPMessage], confirmTimeout: Duration = .seconds(15)) async throws(AMQPError) {
        try await publish(messages, deadline: .now + confirmTimeout)
    }

    /// Publishes one message and waits for its confirm.
    public nonisolated func publish(_ message: AMQPMessage, confirmTimeout: Duration = .seconds(15)) async throws(AMQPError) {
        try await publish([message], deadline: .now + confirmTimeout)
    }

    /// `validated`: the caller (`AMQPClient`) already checked the messages.
    nonisolated func publish(
        _ messages: [AMQPMessage], deadline: ContinuousClock.Instant, validated: Bool = false
    ) async throws(AMQPError) {
        guard !messages.isEmpty else { return }
        if !validated {
            for message in messages { try message.validate(maxMessageSize: configuration.maxMessageSize) }
        }
        while true {
            if let failure = status.failure { throw failure }
            if status.blockedReason != nil {
                switch await status.waitWhileBlocked(until: deadline) {
                case .unblocked: break
                case .failed(let error): throw error
                case .stillBlocked(let reason): throw AMQPError.blocked(reason: reason)
                }
            }
            let batch = ConfirmBatch(count: messages.count)
            let result: Result<Void, AMQPError>
            if status.track(batch, deadline: deadline) {
                // Driven by `run()`: the writes are one job on the executor, the wait for
                // confirms is not. The run loop's watchdog fails the batch at its deadline even
                // if the executor is stuck (and cuts off a stuck write after `writeTimeout`).
                await send(messages, batch: batch)
                result = await batch.wait()
                status.untrack(batch)
            } else {
                result = await sendAndReadConfirms(messages, batch: batch, deadline: deadline)
            }
            switch result {
            case .success:
                return
            case .failure(.blocked) where ContinuousClock.now < deadline:
                continue  // blocked just before the write: nothing went out, wait for the unblock
            case .failure(let error):
                throw error
            }
        }
    }

    /// Writes a batch and registers it for confirms (one executor job).
    func send(_ messages: [AMQPMessage], batch: ConfirmBatch) {
        guard !batch.isResolved else { return }
        do throws(AMQPError) {
            try ensureUsable()
            if let reason = status.blockedReason {
                batch.resolve(.failure(.blocked(reason: reason)))
                return
            }
            if !openChannels.contains(Self.publishChannel) { try openPublishChannel() }
            let ids = messages.map { $0.properties.messageID ?? UUID().uuidString }
            inflight.append(InflightBatch(firstTag: nextPublishTag, messageIDs: ids, batch: batch))
            status.beginWrite()
            defer { status.endWrite() }
            for (index, message) in messages.enumerated() {
                do throws(AMQPError) {
                    try write(message, messageID: ids[index])
                } catch {
                    // Not a connection failure (those fail every batch): nothing more of this
                    // batch goes out, and confirms are expected only for what did.
                    if status.failure == nil { truncateLastBatch(to: index, failure: error) }
                    throw error
                }
                // A broker that closes the channel mid-batch ignores the rest: stop early (the
                // close was read by `write`; the channel cannot reopen within this job).
                if !openChannels.contains(Self.publishChannel) { break }
            }
        } catch {
            batch.resolve(.failure(error))
        }
    }

    /// Without `run()`: writes the batch, then reads frames until it is resolved or the deadline passes.
    private func sendAndReadConfirms(
        _ messages: [AMQPMessage], batch: ConfirmBatch, deadline: ContinuousClock.Instant
    ) -> Result<Void, AMQPError> {
        send(messages, batch: batch)
        while !batch.isResolved {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                batch.resolve(.failure(.confirmTimeout(pending: pendingCount(of: batch))))
                break
            }
            let slice = min(remaining, .milliseconds(200)).components
            do {
                try readFrame(timeout: timeval(tv_sec: Int(slice.seconds), tv_usec: Int(slice.attoseconds / 1_000_000_000_000)))
            } catch {
                break  // the failure resolved every batch
            }
        }
        return batch.result ?? .failure(.confirmTimeout(pending: pendingCount(of: batch)))
    }

    private func write(_ message: AMQPMessage, messageID: String) throws(AMQPError) {
        let arena = CArena()
        var properties = message.properties
        properties.messageID = messageID
        var cProperties = try properties.cProperties(in: arena)
        let exchange = try arena.bytes(message.exchange)
        let routingKey = try arena.bytes(message.routingKey)
        let state = handle.state
        let mandatory: amqp_boolean_t = message.mandatory ? 1 : 0
        let status = message.body.withUnsafeBytes { buffer -> Int32 in
            let body = amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return amqp_basic_publish(state, Self.publishChannel, exchange, routingKey, mandatory, 0, &cProperties, body)
        }
        guard status == AMQPStatus.ok else {
            throw fail(.connectionLost(reason: "publish: \(AMQPStatus.describe(status))"))
        }
        nextPublishTag += 1
        // Let rabbitmq-c take in acks (and a channel.close) that are already waiting, so a
        // long batch neither fills the socket buffer nor outlives a closed channel.
        if bufferedFrames() || nextPublishTag % 64 == 0 {
            try readAvailableFrames(limit: 64)
        }
    }
}
