import Contracts
import Foundation
import Postgres

extension RolloutQueries {
    /// The latest rollout's targets matching `filter` (one more than its limit, so the caller
    /// knows whether a next page exists), or the one target `taskKey` with its attempts: one
    /// statement and one shape for both reads. `notFound` when the release has no rollout.
    func selectTargets(releaseKey: String, filter: RolloutTargetFilter, taskKey: String?) async throws -> [RolloutTargetDetail] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            WITH r AS (SELECT id FROM \(identifier: schema).rollouts WHERE release_key = \(releaseKey)::text
                       ORDER BY planned_at DESC, id DESC LIMIT 1),
            page AS (
              SELECT t.* FROM \(identifier: schema).targets t JOIN r ON t.rollout_id = r.id
              WHERE (\(taskKey)::text IS NULL OR t.task_key = \(taskKey)::text)
                AND (\(filter.state?.rawValue)::text IS NULL OR t.state = \(filter.state?.rawValue)::text)
                AND (\(filter.site)::text IS NULL OR t.site = \(filter.site)::text)
                AND (\(filter.wave)::int IS NULL OR t.wave = \(filter.wave)::int)
                AND (\(filter.afterTaskKey)::text IS NULL OR (t.wave, t.position, t.task_key) >
                     (SELECT a.wave, a.position, a.task_key FROM \(identifier: schema).targets a
                      WHERE a.rollout_id = r.id AND a.task_key = \(filter.afterTaskKey)::text))
              ORDER BY t.wave, t.position, t.task_key LIMIT \(filter.limit + 1)::int)
            SELECT (SELECT id FROM r)::text, coalesce(json_agg(json_build_object(
              'target', json_build_object(
                  'taskKey', p.task_key, 'source', p.source, 'target', p.target, 'site', p.site, 'wave', p.wave,
                  'batch', p.batch, 'position', p.position, 'dependsOn', p.depends_on, 'state', p.state, 'action', p.action,
                  'attempts', p.attempts, 'pool', p.pool, 'leaseOwner', p.lease_owner,
                  'dispatchedAt', to_char(p.dispatched_at AT TIME ZONE 'UTC', \(format)),
                  'finishedAt', to_char(coalesce(p.finished_at, p.succeeded_at) AT TIME ZONE 'UTC', \(format)), 'detail', p.detail,
                  'waitingForWorker', false),
              'liveWorkers', (SELECT count(*) FROM \(identifier: schema).workers k
                              WHERE k.pool = p.pool AND (cardinality(k.sites) = 0 OR p.site = ANY (k.sites))
                                AND k.seen_at > now() - make_interval(secs => \(RolloutWorkerLiveness.seenWithinSeconds)::int)),
              'attempts', CASE WHEN \(taskKey)::text IS NULL THEN '[]'::json ELSE
                  (SELECT coalesce(json_agg(json_build_object(
                       'action', a.action, 'attempt', a.attempt, 'replica', a.replica, 'outcome', a.outcome,
                       'startedAt', to_char(a.started_at AT TIME ZONE 'UTC', \(format)),
                       'finishedAt', to_char(a.finished_at AT TIME ZONE 'UTC', \(format)), 'durationMs', a.duration_ms,
                       'detail', a.detail, 'log', a.log) ORDER BY a.started_at DESC, a.attempt DESC), '[]')
                   FROM \(identifier: schema).attempts a WHERE a.rollout_id = p.rollout_id AND a.task_key = p.task_key) END)
              ORDER BY p.wave, p.position, p.task_key), '[]')::text
            FROM page p
            """)
        let row = try rows.first.orThrow()
        guard try row.decode(at: 0, as: String?.self) != nil else {
            throw CommandError(.notFound, "release \(releaseKey) has no rollout", rule: "rollout.exists")
        }
        return try StoredJSON.decode([StoredTarget].self, from: row.decode(at: 1, as: String.self)).map(\.detail)
    }
}

/// A target as the statement returns it: the view, the live workers of its pool serving its
/// site (from which ``RolloutWorkerLiveness`` says whether it waits), and its attempts.
struct StoredTarget: Decodable {
    var target: RolloutTargetView
    var liveWorkers: Int
    var attempts: [RolloutTargetDetail.Attempt]

    var detail: RolloutTargetDetail {
        var target = target
        target.waitingForWorker = RolloutWorkerLiveness.isWaiting(
            state: target.state, leaseOwner: target.leaseOwner, liveWorkers: liveWorkers)
        return RolloutTargetDetail(target: target, attempts: attempts)
    }
}
