import Foundation
import Postgres

/// How an outbox stands: what waits to be published and what failed for good.
public struct OutboxStatistics: Sendable, Equatable {
    /// Rows not yet published and not failed (including rows held behind a failed row).
    public var pending: Int
    /// Seconds since the oldest pending row was committed (0 when none is pending).
    public var oldestPendingAge: Double
    /// Rows marked failed and neither retried nor discarded by an operator.
    public var failed: Int

    public init(pending: Int, oldestPendingAge: Double, failed: Int) {
        self.pending = pending
        self.oldestPendingAge = oldestPendingAge
        self.failed = failed
    }

    /// Reads the figures of `schema`'s outbox in one query (over the partial indexes of
    /// pending and held rows, so its cost follows the backlog, not the table).
    public static func read(schema: String, pool: PostgresPool) async throws -> OutboxStatistics {
        let row = try await pool.query(
            """
            SELECT
                (SELECT count(*) FROM \(identifier: schema).outbox WHERE published_at IS NULL AND failed_at IS NULL)::int8,
                COALESCE((SELECT extract(epoch FROM clock_timestamp() - min(created_at))
                          FROM \(identifier: schema).outbox WHERE published_at IS NULL AND failed_at IS NULL), 0)::float8,
                (SELECT count(*) FROM \(identifier: schema).outbox
                 WHERE published_at IS NULL AND discarded_at IS NULL AND failed_at IS NOT NULL)::int8
            """
        ).single()
        let (pending, age, failed) = try row.decode((Int64, Double, Int64).self)
        return OutboxStatistics(pending: Int(pending), oldestPendingAge: max(0, age), failed: Int(failed))
    }
}
