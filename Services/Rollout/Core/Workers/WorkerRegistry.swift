import Foundation
import Postgres

/// `<schema>.workers`: every replica says which pool it is in and which sites it serves, and
/// refreshes its row while it runs, so coordinators route deploy jobs to a pool that serves
/// the target's site and the gateway can tell a site that waits for a worker.
public struct WorkerRegistry: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    public func register(_ settings: WorkerSettings, pool: PostgresPool) async throws {
        _ = try await pool.query(
            """
            INSERT INTO \(identifier: schema).workers (replica, pool, sites, concurrency)
            VALUES (\(settings.replica), \(settings.pool), \(bind: PostgresArrayBind.texts(settings.sites)), \(settings.concurrency))
            ON CONFLICT (replica) DO UPDATE
            SET pool = excluded.pool, sites = excluded.sites, concurrency = excluded.concurrency, seen_at = now()
            """)
    }

    /// Removes the replica's row when it stops cleanly (a killed one ages out).
    public func unregister(_ replica: String, pool: PostgresPool) async throws {
        _ = try await pool.query("DELETE FROM \(identifier: schema).workers WHERE replica = \(replica)")
    }

    /// Rows of replicas not seen for a day are deleted: they are long gone.
    public func directory(in transaction: PostgresTransaction) async throws -> PoolDirectory {
        let workers = try await transaction.query(
            """
            SELECT pool, array_to_string(sites, E'\\n'), seen_at FROM \(identifier: schema).workers
            WHERE seen_at > now() - interval '1 day'
            """, label: "load worker pools"
        ).map { row in
            let (pool, sites, seenAt) = try row.decode((String, String, Date).self)
            return PoolDirectory.Worker(pool: pool, sites: TargetStore.lines(sites), seenAt: seenAt)
        }
        return PoolDirectory(workers: workers)
    }
}
