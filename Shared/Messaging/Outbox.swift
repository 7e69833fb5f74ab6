import Contracts
import Foundation
import Postgres

/// Writes outgoing messages into a service's `outbox` table inside the caller's transaction,
/// so a state change and the messages it causes commit together or not at all.
/// `OutboxRelay` publishes them afterwards.
public struct Outbox: Sendable {
    /// The service's schema, holding its `outbox` table.
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The NOTIFY channel that wakes relays when a transaction with outbox rows commits.
    public var channel: String { "\(schema)_outbox" }

    /// Adds `envelope` for publication to `exchange` with `routingKey`.
    public func enqueue<Payload>(
        _ envelope: Envelope<Payload>, exchange: String, routingKey: String,
        headers: [String: String] = [:], in transaction: PostgresTransaction
    ) async throws {
        let body = try ContractCoding.encode(envelope)
        // One round trip: the row and the NOTIFY (delivered at commit) in one statement.
        try await transaction.query(
            """
            WITH inserted AS (
                INSERT INTO \(identifier: schema).outbox
                    (message_id, exchange, routing_key, message_type, correlation_id, headers, body)
                VALUES (\(envelope.id), \(exchange), \(routingKey), \(envelope.type), \(envelope.correlationId),
                        \(json: headers)::jsonb, \(body))
                RETURNING 1
            )
            SELECT pg_notify(\(channel), '') FROM inserted
            """, label: "outbox insert")
    }

    /// Adds several events for `shipboard.events` in one statement (one round trip however
    /// many there are), in the order given, and one NOTIFY. Every value is bound.
    public func publish(_ envelopes: [any OutboxEventEnvelope], in transaction: PostgresTransaction) async throws {
        guard !envelopes.isEmpty else { return }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: envelopes.count * 6 + 2)
        sql.appendLiteral("WITH inserted AS (INSERT INTO ")
        sql.appendInterpolation(identifier: schema)
        sql.appendLiteral(".outbox (message_id, exchange, routing_key, message_type, correlation_id, headers, body) VALUES ")
        for (index, envelope) in envelopes.enumerated() {
            let row = try envelope.outboxValues()
            sql.appendLiteral(index == 0 ? "(" : ", (")
            sql.appendInterpolation(row.id)
            sql.appendLiteral(", ")
            sql.appendInterpolation(Exchanges.events)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.routingKey)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.type)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.correlationId)
            sql.appendLiteral(", '{}'::jsonb, ")
            sql.appendInterpolation(row.body)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" RETURNING 1) SELECT pg_notify(")
        sql.appendInterpolation(channel)
        sql.appendLiteral(", '') WHERE EXISTS (SELECT 1 FROM inserted)")
        try await transaction.query(PostgresQuery(stringInterpolation: sql), label: "outbox insert batch")
    }

    /// Adds an event for `shipboard.events`, routed by its type.
    public func publish<Event: EventContract>(_ envelope: Envelope<Event>, in transaction: PostgresTransaction) async throws {
        try await enqueue(envelope, exchange: Exchanges.events, routingKey: Event.routingKey, in: transaction)
    }

    /// Adds a command for another service on `shipboard.commands` (fire and forget).
    public func send<Command: CommandContract>(_ envelope: Envelope<Command>, in transaction: PostgresTransaction) async throws {
        try await enqueue(envelope, exchange: Exchanges.commands, routingKey: Command.routingKey, in: transaction)
    }
}

/// An event envelope of any type, as the outbox stores it.
public protocol OutboxEventEnvelope: Sendable {
    func outboxValues() throws -> (id: UUID, type: String, routingKey: String, correlationId: String, body: Data)
}

extension Envelope: OutboxEventEnvelope where Payload: EventContract {
    public func outboxValues() throws -> (id: UUID, type: String, routingKey: String, correlationId: String, body: Data) {
        (id, type, Payload.routingKey, correlationId, try ContractCoding.encode(self))
    }
}
