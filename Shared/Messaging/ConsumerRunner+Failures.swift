import AMQP
import Contracts
import Foundation
import Logging

extension ConsumerRunner {
    /// After a handler failure: wait (not the message's fault), retry in place, or dead-letter.
    func failed(_ item: LaneItem, error: any Error, logger: Logger) async -> Disposition {
        let failure = HandlingFailure(error)
        switch failure {
        case .cancelled:
            return .done  // left unacknowledged: redelivered after the connection closes
        case .databaseUnavailable, .brokerUnavailable:
            return .wait(failure, error)
        case .conflict, .fault:
            break
        }
        let reason = Self.describe(error)
        guard let delay = retry.delay(afterAttempt: item.attempt) else {
            logger.error("handler failed for the last time; dead-lettering", metadata: ["error": "\(reason)", "attempt": "\(item.attempt)"])
            await deadLetter(item.delivery, reason: reason, attempt: item.attempt)
            return .done
        }
        logger.warning("handler failed; will retry", metadata: ["error": "\(reason)", "attempt": "\(item.attempt)"])
        outcomes("retried").increment()
        return .retry(after: delay)
    }

    /// Sends a copy to `shipboard.dead` (routing key: this queue) with the reason, then acks.
    func deadLetter(_ delivery: AMQPDelivery, reason: String, attempt: Int) async {
        outcomes("dead_lettered").increment()
        logger.error("dead-lettering message", metadata: [
            "reason": "\(reason)", "attempt": "\(attempt)", "message.id": "\(delivery.properties.messageID ?? "-")",
        ])
        await forward(delivery, exchange: Exchanges.dead, routingKey: queue, headers: [
            MessageHeaders.attempt: .int(Int64(attempt)),
            MessageHeaders.error: .string(reason),
            MessageHeaders.sourceQueue: .string(queue),
        ], logger: logger)
    }

    /// Publishes a copy (same message id, so the inbox still recognises it) with extra
    /// headers, then acks the original. If the copy cannot be published, the original goes
    /// back to the queue instead: nothing is lost, at worst it is seen again.
    private func forward(
        _ delivery: AMQPDelivery, exchange: String, routingKey: String, headers: [String: AMQPFieldValue], logger: Logger
    ) async {
        var properties = delivery.properties
        properties.headers.merge(headers) { _, new in new }
        properties.deliveryMode = 2
        let copy = AMQPMessage(exchange: exchange, routingKey: routingKey, body: delivery.body, properties: properties, mandatory: true)
        do {
            try await amqp.publish(copy, timeout: .seconds(5))
        } catch {
            logger.warning("could not forward message; requeueing it", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(200))
            await settle(delivery, logger: logger) { try await delivery.nack(requeue: true) }
            return
        }
        await settle(delivery, logger: logger) { try await delivery.ack() }
    }

    func sendReply(_ reply: Data, to replyTo: String, correlationID: String?, logger: Logger) async {
        let message = AMQPMessage(
            exchange: "", routingKey: replyTo, body: reply,
            properties: AMQPProperties(correlationID: correlationID, type: "reply", deliveryMode: 1))
        do {
            try await amqp.publish(message, timeout: .seconds(5))
        } catch {
            // The requester resends (same envelope id) and gets the reply stored in the inbox.
            logger.warning("could not send reply", metadata: ["error": "\(error)"])
        }
    }

    /// Acks or nacks; a stale delivery (connection gone) is redelivered and deduplicated.
    func settle(_ delivery: AMQPDelivery, logger: Logger, _ action: () async throws -> Void) async {
        do {
            try await action()
        } catch {
            logger.info("could not settle delivery; the broker will redeliver it", metadata: ["error": "\(error)"])
        }
    }
}
