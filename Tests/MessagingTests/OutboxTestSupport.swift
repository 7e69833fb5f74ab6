import AMQP
import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import Synchronization
import Testing

/// Helpers of the outbox tests: rows forced in around `Outbox` (as a bug or a hand-written
/// SQL statement would), row states, deliveries, captured logs.
enum OutboxTestSupport {
    /// Inserts a row with SQL, bypassing `Outbox`'s checks; returns its message id.
    @discardableResult
    static func force(
        _ fixture: MessagingFixture, correlationId: String, exchange: String = Exchanges.events,
        routingKey: String? = nil, value: String = "forced", headers: String = "{}"
    ) async throws -> UUID {
        let envelope = Envelope(Recorded(value: value), correlationId: correlationId, actor: "test")
        let body = try ContractCoding.encode(envelope)
        try await fixture.pool.query(
            """
            INSERT INTO \(identifier: fixture.schema).outbox
                (message_id, exchange, routing_key, message_type, correlation_id, headers, body)
            VALUES (\(envelope.id), \(exchange), \(routingKey ?? fixture.routingKey), \(envelope.type),
                    \(correlationId), \(headers)::jsonb, \(body))
            """)
        return envelope.id
    }

    /// Commits one event per value, each in its own transaction, through `Outbox`.
    @discardableResult
    static func commit(_ values: [String], correlationId: String, fixture: MessagingFixture) async throws -> [UUID] {
        let outbox = Outbox(schema: fixture.schema)
        var ids: [UUID] = []
        for value in values {
            let envelope = Envelope(Recorded(value: value), correlationId: correlationId, actor: "test")
            try await fixture.pool.withTransaction { transaction in
                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
            }
            ids.append(envelope.id)
        }
        return ids
    }

    /// A row's publish state as the relay left it.
    struct RowState: Equatable {
        var published: Bool
        var attempts: Int
        var failed: Bool
        var discarded: Bool
        var lastError: String?
    }

    static func state(of id: UUID, in fixture: MessagingFixture) async throws -> RowState {
        let row = try await fixture.pool.query(
            """
            SELECT published_at IS NOT NULL, attempts, failed_at IS NOT NULL, discarded_at IS NOT NULL, last_error
            FROM \(identifier: fixture.schema).outbox WHERE message_id = \(id)
            """
        ).single()
        let (published, attempts, failed, discarded, error) = try row.decode((Bool, Int32, Bool, Bool, String?).self)
        return RowState(published: published, attempts: Int(attempts), failed: failed, discarded: discarded, lastError: error)
    }

    /// Reads deliveries (acking each) until `until` holds for the values received so far, or
    /// `timeout` passes; returns the values in arrival order.
    static func receive(
        _ consumer: AMQPConsumer, timeout: Duration = .seconds(15), until: @escaping @Sendable ([String]) -> Bool
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String]?.self) { group in
            group.addTask {
                var values: [String] = []
                for try await delivery in consumer {
                    let envelope = try ContractCoding.decode(Envelope<Recorded>.self, from: delivery.body)
                    values.append(envelope.payload.value)
                    try await delivery.ack()
                    if until(values) { return values }
                }
                return values
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let values = first else {
                throw MessagingTestError("deliveries did not arrive in time")
            }
            return values
        }
    }
}
