import Contracts
import Foundation
import Postgres

/// Writes outgoing messages into a service's `outbox` table inside the caller's transaction,
/// so a state change and the messages it causes commit together or not at all.
/// `OutboxRelay` publishes them afterwards.
///
/// - Every row is checked against `limits` first (what the broker would refuse): a violation
///   throws `CommandError(.validation, rule: "messages.limits")` and nothing is written, so
///   the caller's transaction fails instead of leaving a row that can never be published.
/// - One statement per call with constant text whatever the row count: one row (the usual
///   case) has a plain statement; several go as bound arrays through `unnest`. So the
///   prepared-statement cache holds two inserts per schema, never one per row count. The
///   plain one exists for speed: the server builds no aggregate or function scans for it.
/// - Order per correlation id is commit order: that statement first takes a transaction
///   advisory lock per correlation id (two-key space `(hashtext(schema), hashtext(id))`, apart
///   from the relay's one-key locks), then draws `seq`. A second writer of the same id waits
///   until the first commits or rolls back, so it draws a higher `seq` and commits later.
///   Writers of different ids never wait for each other (barring a 32-bit hash collision).
public struct Outbox: Sendable {
    /// The service's schema, holding its `outbox` table.
    public let schema: String
    /// What a row may hold; checked on every enqueue and again by the relay.
    public let limits: OutboxLimits

    public init(schema: String, limits: OutboxLimits = OutboxLimits()) {
        self.schema = schema
        self.limits = limits
    }

    /// The NOTIFY channel that wakes relays when a transaction with outbox rows commits.
    public var channel: String { "\(schema)_outbox" }

    /// One outgoing message as the outbox stores it.
    public struct Row: Sendable {
        public let id: UUID
        public let type: String
        public let correlationId: String
        /// The envelope's actor (inside the body), checked like the other envelope strings.
        public let actor: String?
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
            self.actor = envelope.actor
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

    /// Adds several rows (each with its own exchange and routing key) in one statement, in
    /// the order given: e.g. deploy jobs routed to the queues of different worker pools.
    public func enqueue(_ rows: [Row], in transaction: PostgresTransaction) async throws {
        try await insert(rows, in: transaction)
    }

    /// Adds several events for `shipboard.events` in one statement (one round trip however
    /// many there are), in the order given.
    public func publish(_ envelopes: [any OutboxEventEnvelope], in transaction: PostgresTransaction) async throws {
        try await insert(envelopes.map { try $0.outboxRow() }, in: transaction)
    }

    /// Validates, then one round trip: the writers' locks, the rows in the order given, and
    /// one NOTIFY (delivered at commit), in one statement with constant text.
    private func insert(_ rows: [Row], in transaction: PostgresTransaction) async throws {
        guard !rows.isEmpty else { return }
        for row in rows { try limits.validate(row) }
        if rows.count == 1 { return try await insertOne(rows[0], in: transaction) }
        let correlations = PostgresArrayBind.texts(rows.map(\.correlationId))
        try await transaction.enqueue(
            """
            WITH locked AS MATERIALIZED (
                SELECT count(pg_advisory_xact_lock(hashtext(\(schema)), key)) AS n
                FROM (SELECT DISTINCT hashtext(c) AS key FROM unnest(\(bind: correlations)) AS c ORDER BY 1) AS keys
            ), inserted AS (
                INSERT INTO \(identifier: schema).outbox
                    (message_id, exchange, routing_key, message_type, correlation_id, headers, body)
                SELECT m, e, r, t, c, h::jsonb, b
                FROM unnest(\(bind: PostgresArrayBind.uuids(rows.map(\.id))), \(bind: PostgresArrayBind.texts(rows.map(\.exchange))),
                            \(bind: PostgresArrayBind.texts(rows.map(\.routingKey))), \(bind: PostgresArrayBind.texts(rows.map(\.type))),
                            \(bind: correlations), \(bind: PostgresArrayBind.texts(rows.map { Self.headersJSON($0.headers) })),
                            \(bind: PostgresArrayBind.byteas(rows.map(\.body)))) AS u(m, e, r, t, c, h, b)
                -- An InitPlan: evaluated once, before the first row draws its seq.
                WHERE (SELECT n FROM locked) >= 0
                RETURNING 1
            )
            SELECT pg_notify(\(channel), '') WHERE EXISTS (SELECT 1 FROM inserted)
            """, label: "outbox insert")
    }

    /// `insert` for one row: the same lock, row and NOTIFY without arrays. Selecting the row
    /// from the materialized `locked` takes the lock before the row draws its `seq`.
    private func insertOne(_ row: Row, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            """
            WITH locked AS MATERIALIZED (
                SELECT pg_advisory_xact_lock(hashtext(\(schema)), hashtext(\(row.correlationId)))
            ), inserted AS (
                INSERT INTO \(identifier: schema).outbox
                    (message_id, exchange, routing_key, message_type, correlation_id, headers, body)
                SELECT \(row.id), \(row.exchange), \(row.routingKey), \(row.type), \(row.correlationId),
                       \(Self.headersJSON(row.headers))::jsonb, \(row.body)
                FROM locked
                RETURNING 1
            )
            SELECT pg_notify(\(channel), '') WHERE EXISTS (SELECT 1 FROM inserted)
            """, label: "outbox insert")
    }

    /// The headers as a JSON object (an object of strings: what the relay reads back).
    static func headersJSON(_ headers: [String: String]) -> String {
        guard !headers.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: headers, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
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
