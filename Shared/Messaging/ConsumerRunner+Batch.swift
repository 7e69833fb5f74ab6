import AMQP
import Contracts
import Foundation
import Postgres

extension ConsumerRunner {
    /// A decoded event ready to run inside a batch transaction.
    private struct Ready {
        let delivery: AMQPDelivery
        let header: EnvelopeHeader
        let prepared: MessageHandlers.Prepared
    }

    /// Handles deliveries that arrived together; see the type's documentation.
    func processBatch(_ deliveries: [AMQPDelivery]) async {
        guard deliveries.count > 1 else {
            for delivery in deliveries { await process(delivery) }
            return
        }
        var ready: [Ready] = []
        for delivery in deliveries {
            // Commands, retries and anything that does not decode take the single path,
            // which dead-letters or answers them properly.
            guard delivery.properties.replyTo == nil, delivery.properties.headers[MessageHeaders.attempt] == nil,
                  let header = try? ContractCoding.decode(EnvelopeHeader.self, from: delivery.body),
                  let prepared = try? handlers.prepare(header, body: delivery.body)
            else {
                await process(delivery)
                continue
            }
            ready.append(Ready(delivery: delivery, header: header, prepared: prepared))
        }
        guard !ready.isEmpty else { return }
        do {
            let handled = try await pool.withTransaction { transaction in
                let ids = "{" + ready.map { $0.header.id.uuidString }.joined(separator: ",") + "}"
                let claimed = try await transaction.query(
                    """
                    INSERT INTO \(identifier: inbox.schema).inbox (consumer, message_id)
                    SELECT \(inbox.consumer), id FROM unnest(\(ids)::uuid[]) AS id
                    ON CONFLICT (consumer, message_id) DO NOTHING
                    RETURNING message_id
                    """, label: "inbox claim batch")
                var fresh = Set(try claimed.map { try $0.decode(at: 0, as: UUID.self) })
                var count = 0
                for item in ready where fresh.remove(item.header.id) != nil {
                    _ = try await item.prepared(HandlerContext(
                        transaction: transaction, outbox: outbox, header: item.header, attempt: 1,
                        redelivered: item.delivery.redelivered, logger: logger))
                    count += 1
                }
                return count
            }
            outcomes("handled").increment(by: handled)
            outcomes("duplicate").increment(by: ready.count - handled)
            for item in ready {
                await settle(item.delivery, logger: logger) { try await item.delivery.ack() }
            }
        } catch {
            // Nothing of the batch committed: handle each on its own (retries stay per message).
            for item in ready { await process(item.delivery) }
        }
    }
}
