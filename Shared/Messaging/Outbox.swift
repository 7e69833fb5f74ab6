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

    /// One outgoing message as the outbox stores it.
    public struct Row: Sendable {
        public let id: UUID
        public let type: String
        public let correlationId: String
        public let exchange: String
        public let routingKey: String
        public let headers: [String: String]
        public let body: Data

        public init<Payload>(
            _ envelope: Envelope<Payload>, exchange: String, routingKey: String, headers: [String: String] = [:]
        ) throws {
            self.id = envelope.id
            self.type = envelope.type
            self.correlationId = envelope.correlationId
            self.exchange = exchange
            self.routingKey = routingKey
            self.headers = headers
            self.body = try ContractCoding.encode(envelope)
        }
    }

    /// Adds `envelope` for publication to `exchange` with `routingKey`.
    public func enqueue<Payload>(
        _ envelope: Envelope<Payload>, exchange: String, routingKey: String,
        headers: [String: String] = [:], in transaction: PostgresTransaction
    ) async throws {
        try await insert([Row(envelope, exchange: exchange, routingKey: routingKey, headers: headers)], in: transaction)
    }

    /// Adds several events for `shipboard.events` in one statement (one round trip however
    /// many there are), in the order given.
    public func publish(_ envelopes: [any OutboxEventEnvelope], in transaction: PostgresTransaction) async throws {
        try await insert(envelopes.map { try $0.outboxRow() }, in: transaction)
    }

    /// One round trip: the rows and one NOTIFY (delivered at commit) in one statement.
    /// Placeholders are generated per row; every value is bound.
    private func insert(_ rows: [Row], in transaction: PostgresTransaction) async throws {
        guard !rows.isEmpty else { return }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: rows.count * 7 + 2)
        sql.appendLiteral("WITH inserted AS (INSERT INTO ")
        sql.appendInterpolation(identifier: schema)
        sql.appendLiteral(".outbox (message_id, exchange, routing_key, message_type, correlation_id, headers, body) VALUES ")
        for (index, row) in rows.enumerated() {
            sql.appendLiteral(index == 0 ? "(" : ", (")
            sql.appendInterpolation(row.id)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.exchange)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.routingKey)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.type)
            sql.appendLiteral(", ")
            sql.appendInterpolation(row.correlationId)
            sql.appendLiteral(", ")
            sql.appendInterpolation(json: row.headers)
            sql.appendLiteral("::jsonb, ")
            sql.appendInterpolation(row.body)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" RETURNING 1) SELECT pg_notify(")
        sql.appendInterpolation(channel)
        sql.appendLiteral(", '') WHERE EXISTS (SELECT 1 FROM inserted)")
        try await transaction.query(PostgresQuery(stringInterpolation: sql), label: "outbox insert")
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
    func outboxRow() throws -> Outbox.Row
}

extension Envelope: OutboxEventEnvelope where Payload: EventContract {
    public func outboxRow() throws -> Outbox.Row {
        try Outbox.Row(self, exchange: Exchanges.events, routingKey: Payload.routingKey)
    }
}
