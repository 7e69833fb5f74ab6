import Foundation
import Postgres

/// What an operator does with outbox rows the relay marked failed (see `OutboxRelay`):
/// list them, retry them (pending again, with fresh attempts) or discard one (never
/// published, kept for the record; the rows behind it go on).
///
/// - Each change takes the relay's advisory lock of the row's correlation id first, so it
///   never interleaves with a relay publishing that correlation id (which keeps order).
/// - A change NOTIFYs the outbox channel at commit, so running relays pick it up at once.
/// - Only failed rows are touched: a pending or published row is never retried or discarded here.
public struct OutboxAdministration: Sendable {
    public let outbox: Outbox
    let pool: PostgresPool

    public init(outbox: Outbox, pool: PostgresPool) {
        self.outbox = outbox
        self.pool = pool
    }

    /// Failed rows (not discarded), oldest first.
    public func failedRows(limit: Int = 1000) async throws -> [OutboxFailedRow] {
        let rows = try await pool.query(
            """
            SELECT seq, message_id, message_type, correlation_id, exchange, routing_key, attempts,
                   COALESCE(last_error, ''), failed_at
            FROM \(identifier: outbox.schema).outbox
            WHERE failed_at IS NOT NULL AND discarded_at IS NULL AND published_at IS NULL
            ORDER BY seq LIMIT \(max(1, limit))
            """)
        return try rows.map { row in
            let (seq, id, type, correlation, exchange, routingKey, attempts, error, failedAt) =
                try row.decode((Int64, UUID, String, String, String, String, Int32, String, Date).self)
            return OutboxFailedRow(
                seq: seq, messageID: id, type: type, correlationId: correlation, exchange: exchange,
                routingKey: routingKey, attempts: Int(attempts), lastError: error, failedAt: failedAt)
        }
    }

    /// Makes the failed row with `messageID` pending again; false when there is none.
    @discardableResult
    public func retry(messageID: UUID) async throws -> Bool {
        try await change(.retry, messageID: messageID) == 1
    }

    /// Makes every failed row pending again; returns how many.
    @discardableResult
    public func retryAll() async throws -> Int {
        try await change(.retry, messageID: nil)
    }

    /// Marks the failed row with `messageID` discarded; false when there is none.
    @discardableResult
    public func discard(messageID: UUID) async throws -> Bool {
        try await change(.discard, messageID: messageID) == 1
    }

    private enum Change { case retry, discard }

    /// Locks the correlation ids concerned (in key order), then changes the rows, in one
    /// transaction; the NOTIFY goes out at commit.
    private func change(_ change: Change, messageID: UUID?) async throws -> Int {
        let schema = outbox.schema
        return try await pool.withTransaction { transaction in
            try await transaction.query(
                """
                SELECT count(pg_advisory_xact_lock(key)) FROM (
                    SELECT DISTINCT hashtextextended(\(schema) || '/' || correlation_id, 0) AS key
                    FROM \(identifier: schema).outbox
                    WHERE failed_at IS NOT NULL AND discarded_at IS NULL AND published_at IS NULL
                      AND (\(messageID)::uuid IS NULL OR message_id = \(messageID))
                    ORDER BY 1
                ) AS keys
                """, label: "lock failed rows")
            let result: PostgresRows
            switch change {
            case .retry:
                result = try await transaction.query(
                    """
                    UPDATE \(identifier: schema).outbox SET failed_at = NULL, retry_at = NULL, attempts = 0
                    WHERE failed_at IS NOT NULL AND discarded_at IS NULL AND published_at IS NULL
                      AND (\(messageID)::uuid IS NULL OR message_id = \(messageID))
                    """, label: "retry failed rows")
            case .discard:
                result = try await transaction.query(
                    """
                    UPDATE \(identifier: schema).outbox SET discarded_at = now()
                    WHERE failed_at IS NOT NULL AND discarded_at IS NULL AND published_at IS NULL
                      AND message_id = \(messageID)
                    """, label: "discard failed row")
            }
            let changed = result.affectedRows ?? 0
            if changed > 0 { try await transaction.notify(channel: outbox.channel, payload: "") }
            return changed
        }
    }
}
