import Contracts
import Foundation
import Postgres

extension RolloutQueries {
    /// Each release's latest rollout (the one ``status(of:)`` reads: newest `planned_at`, then
    /// id) counted by target state, for many releases in one statement: a portfolio's rollout
    /// columns without one status read per release. A release without a rollout is absent.
    public func latestCounts(of releaseKeys: [String]) async throws -> [String: RolloutCounts] {
        guard !releaseKeys.isEmpty else { return [:] }
        let rows = try await pool.query(
            """
            WITH r AS (SELECT DISTINCT ON (release_key) id, release_key FROM \(identifier: schema).rollouts
                       WHERE release_key = ANY(\(bind: PostgresArrayBind.texts(releaseKeys)))
                       ORDER BY release_key, planned_at DESC, id DESC)
            SELECT r.release_key, t.state, count(t.task_key)
            FROM r LEFT JOIN \(identifier: schema).targets t ON t.rollout_id = r.id
            GROUP BY r.release_key, t.state
            """)
        var counts: [String: RolloutCounts] = [:]
        for row in rows {
            let (key, state, count) = try row.decode((String, String?, Int).self)
            // A rollout planned with no target yet still has a row (all zero).
            if counts[key] == nil { counts[key] = RolloutCounts() }
            if let state { try counts[key]?.add(state, count) }
        }
        return counts
    }
}
