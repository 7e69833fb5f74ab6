import Contracts
import Foundation
import Postgres

/// Read-only queries over shipboard-rollout's tables (`rollout.rollouts`, `waves`, `targets`,
/// `attempts`, `workers`) for the gateway: a release's latest rollout with its progress per
/// wave and site, its targets a page at a time, and one target with its attempts. Each answer
/// is one statement (counts by `GROUPING SETS`, children as JSON); every value is bound.
/// A release without a rollout is `notFound` (`rollout.exists`).
public struct RolloutQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = "rollout", pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// The release's latest rollout with its progress overall, per wave and per site. The
    /// caller has checked that the release exists.
    public func status(of releaseKey: String) async throws -> RolloutStatusView {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            WITH r AS (SELECT * FROM \(identifier: schema).rollouts WHERE release_key = \(releaseKey)::text
                       ORDER BY planned_at DESC, id DESC LIMIT 1),
            t AS (SELECT t.wave, t.site, t.state, t.pool, (t.state = 'running' AND t.lease_owner IS NULL) AS unclaimed,
                         (t.state NOT IN ('pending', 'running')
                          AND coalesce(t.finished_at, t.succeeded_at) > now() - make_interval(secs => \(RolloutProgress.rateWindowSeconds)::int)) AS recent
                  FROM \(identifier: schema).targets t JOIN r ON t.rollout_id = r.id),
            g AS (SELECT t.wave, t.site, t.state, count(*) AS n, count(*) FILTER (WHERE t.recent) AS recent FROM t
                  GROUP BY GROUPING SETS ((t.state), (t.wave, t.state), (t.site, t.state))),
            s AS (SELECT t.site, max(t.pool) AS pool, count(*) FILTER (WHERE t.unclaimed) AS unclaimed FROM t GROUP BY t.site)
            SELECT json_build_object(
              'id', r.id, 'releaseKey', r.release_key, 'state', r.state, 'image', r.image_name || '@' || r.image_version,
              'currentWave', r.current_wave, 'window', r.window_size, 'haltAfterFailures', r.halt_after, 'reason', r.reason,
              'plannedBy', r.planned_by, 'plannedAt', to_char(r.planned_at AT TIME ZONE 'UTC', \(format)),
              'startedBy', r.started_by, 'startedAt', to_char(r.started_at AT TIME ZONE 'UTC', \(format)),
              'finishedAt', to_char(r.finished_at AT TIME ZONE 'UTC', \(format)),
              'counts', (SELECT coalesce(json_agg(json_build_object('wave', g.wave, 'site', g.site, 'state', g.state,
                                                                    'count', g.n, 'recent', g.recent)), '[]') FROM g),
              'waves', (SELECT coalesce(json_agg(json_build_object(
                            'index', w.index, 'kind', w.kind, 'sites', w.sites,
                            'gateAfter', json_strip_nulls(json_build_object('kind', w.gate_kind, 'seconds', w.gate_seconds)),
                            'openedAt', to_char(w.opened_at AT TIME ZONE 'UTC', \(format)),
                            'completedAt', to_char(w.completed_at AT TIME ZONE 'UTC', \(format)),
                            'approvedBy', w.approved_by, 'approvedAt', to_char(w.approved_at AT TIME ZONE 'UTC', \(format)))
                            ORDER BY w.index), '[]')
                        FROM \(identifier: schema).waves w WHERE w.rollout_id = r.id),
              'sites', (SELECT coalesce(json_agg(json_build_object(
                            'site', s.site, 'pool', s.pool, 'unclaimed', s.unclaimed,
                            'liveWorkers', (SELECT count(*) FROM \(identifier: schema).workers k
                                            WHERE k.pool = s.pool AND (cardinality(k.sites) = 0 OR s.site = ANY (k.sites))
                                              AND k.seen_at > now() - make_interval(secs => \(RolloutWorkerLiveness.seenWithinSeconds)::int)))
                            ORDER BY s.site), '[]') FROM s)
            )::text FROM r
            """)
        guard let row = rows.first else {
            throw CommandError(.notFound, "release \(releaseKey) has no rollout", rule: "rollout.exists")
        }
        return try StoredJSON.decode(StoredStatus.self, from: row.decode(at: 0, as: String.self)).view()
    }

    /// A page of the latest rollout's targets matching `filter`, in deploy order (wave,
    /// position, task key), after the task key the previous page ended at.
    public func targets(of releaseKey: String, _ filter: RolloutTargetFilter) async throws -> RolloutTargetPage {
        let items = try await selectTargets(releaseKey: releaseKey, filter: filter, taskKey: nil).map(\.target)
        let next = items.count > filter.limit ? items[filter.limit - 1].taskKey : nil
        return RolloutTargetPage(items: Array(items.prefix(filter.limit)), nextCursor: next)
    }

    /// One target of the latest rollout with every attempt, latest first; `notFound` when
    /// that rollout has no target `taskKey`.
    public func target(of releaseKey: String, taskKey: String) async throws -> RolloutTargetDetail {
        try RolloutTargetFilter.checkTaskKey(taskKey)
        guard let stored = try await selectTargets(releaseKey: releaseKey, filter: RolloutTargetFilter(limit: 1), taskKey: taskKey).first
        else {
            throw CommandError(.notFound, "the rollout of \(releaseKey) has no target \(taskKey)", rule: "rollout.target_exists")
        }
        return stored
    }
}
