import Contracts
import Foundation
import Postgres

/// `<notify>.events`: every event notify was told about, kept for the delivery log, previews
/// and digests. Storing one twice does nothing (its id is the envelope's).
public struct EventStore: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// Stores `event`; false when it was stored before (a redelivery).
    public func insert(_ event: EventFacts, in transaction: PostgresTransaction) async throws -> Bool {
        let rows = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).events (id, type, release_key, actor, occurred_at, payload)
            VALUES (\(event.id), \(event.type), \(event.releaseKey), \(event.actor), \(event.occurredAt), \(PostgresJSON(event.payload)))
            ON CONFLICT (id) DO NOTHING
            """, label: "store event")
        return rows.affectedRows == 1
    }

    /// The event `id`, or the latest of `type` when `id` is nil.
    public func find(id: UUID?, type: String, in transaction: PostgresTransaction) async throws -> EventFacts? {
        let rows = if let id {
            try await transaction.query(
                """
                SELECT id, type, release_key, actor, occurred_at, payload FROM \(identifier: schema).events WHERE id = \(id)
                """, label: "find event")
        } else {
            try await transaction.query(
                """
                SELECT id, type, release_key, actor, occurred_at, payload FROM \(identifier: schema).events
                WHERE type = \(type) ORDER BY occurred_at DESC LIMIT 1
                """, label: "find latest event")
        }
        guard let row = rows.first else { return nil }
        let (eventId, eventType, release, actor, occurredAt, payload) = try row.decode(
            (UUID, String, String?, String, Date, PostgresJSON<JSONValue>).self)
        return EventFacts(id: eventId, type: eventType, releaseKey: release, actor: actor, occurredAt: occurredAt, payload: payload.value)
    }
}
