import Contracts
import Foundation
import Postgres

/// A deploy job this replica holds: what the claim read about its target and rollout.
public struct ClaimedJob: Sendable, Equatable {
    public var job: DeployJob
    public var releaseKey: String
    public var target: String
    public var site: String
    public var wave: Int
    public var image: RolloutImage
}

/// How one attempt ended, to be recorded.
public struct AttemptResult: Sendable {
    public var claimed: ClaimedJob
    /// The target's state after it: succeeded / failed / backed_out, or pending (deploy) or
    /// succeeded (backout) again after infrastructure trouble, to be tried as a new attempt.
    public var targetState: RolloutTargetState
    /// `succeeded`, `failed` or `error` (infrastructure trouble).
    public var outcome: String
    public var detail: String?
    public var log: String
    public var duration: Duration

    /// Attempts that end in infrastructure trouble are tried again up to this many times in all.
    public static let maxErrorAttempts = 3
}

/// The statements a worker uses: claim many jobs at once, renew its leases, record many
/// outcomes at once. Each checks the job against the target's row (attempt number, action,
/// state, lease), so a repeated, late or superseded job changes nothing.
public struct DeployClaims: Sendable {
    public let schema: String
    public let replica: String

    public init(schema: String, replica: String) {
        self.schema = schema
        self.replica = replica
    }

    /// Claims `jobs` for this replica for `lease`; answers the ones it now holds. Deploy
    /// jobs of a rollout that is no longer running (paused, halted) are not claimed: their
    /// targets go back to pending, for the coordinator to dispatch again once it runs.
    public func claim(_ jobs: [DeployJob], lease: Duration, in transaction: PostgresTransaction) async throws -> [ClaimedJob] {
        guard !jobs.isEmpty else { return [] }
        let rollouts = jobs.map { Self.rolloutID($0.rolloutId) }
        let rows = try await transaction.query(
            """
            WITH job AS (
                SELECT r, k, act, a::int AS a
                FROM unnest(\(bind: PostgresArrayBind.uuids(rollouts)), \(bind: PostgresArrayBind.texts(jobs.map(\.taskKey))),
                            \(bind: PostgresArrayBind.texts(jobs.map(\.action.rawValue))),
                            \(bind: PostgresArrayBind.texts(jobs.map { String($0.attempt) }))) AS u(r, k, act, a)
            ), claimed AS (
                UPDATE \(identifier: schema).targets t
                SET lease_owner = \(replica), lease_until = now() + make_interval(secs => \(Self.seconds(lease)))
                FROM job, \(identifier: schema).rollouts ro
                WHERE t.rollout_id = job.r AND t.task_key = job.k AND t.action = job.act AND t.attempts = job.a
                  AND t.state = 'running' AND t.lease_owner IS NULL
                  AND ro.id = t.rollout_id AND (job.act = 'backout' OR ro.state = 'running')
                RETURNING t.rollout_id, t.task_key, t.action, t.attempts, t.target, t.site, t.wave
            ), parked AS (
                UPDATE \(identifier: schema).targets t
                SET state = 'pending', pool = NULL, dispatched_at = NULL
                FROM job, \(identifier: schema).rollouts ro
                WHERE t.rollout_id = job.r AND t.task_key = job.k AND job.act = 'deploy' AND t.action = 'deploy'
                  AND t.attempts = job.a AND t.state = 'running' AND t.lease_owner IS NULL
                  AND ro.id = t.rollout_id AND ro.state <> 'running'
            ), started AS (
                INSERT INTO \(identifier: schema).attempts (rollout_id, task_key, action, attempt, replica)
                SELECT rollout_id, task_key, action, attempts, \(replica) FROM claimed
                ON CONFLICT DO NOTHING
            )
            SELECT c.rollout_id, c.task_key, c.action, c.attempts, c.target, c.site, c.wave,
                   ro.release_key, ro.image_name, ro.image_version, ro.image_sha256
            FROM claimed c JOIN \(identifier: schema).rollouts ro ON ro.id = c.rollout_id
            """, label: "claim deploy jobs")
        return try rows.map { row in
            let id: UUID = try row.decode(at: 0)
            return ClaimedJob(
                job: DeployJob(
                    rolloutId: id.uuidString.lowercased(), taskKey: try row.decode(at: 1),
                    action: DeployJobAction(rawValue: try row.decode(at: 2)), attempt: try row.decode(at: 3)),
                releaseKey: try row.decode(at: 7), target: try row.decode(at: 4), site: try row.decode(at: 5), wave: try row.decode(at: 6),
                image: RolloutImage(name: try row.decode(at: 8), version: try row.decode(at: 9), sha256: try row.decode(at: 10)))
        }
    }

    /// Extends every lease this replica holds (one statement, whatever it holds).
    public func renew(lease: Duration, pool: PostgresPool) async throws {
        _ = try await pool.query(
            """
            UPDATE \(identifier: schema).targets SET lease_until = now() + make_interval(secs => \(Self.seconds(lease)))
            WHERE lease_owner = \(replica) AND state = 'running'
            """)
    }

    /// Records outcomes this replica still holds the lease for; answers those recorded (the
    /// others were taken back after the lease ran out, and their attempt is marked superseded).
    public func record(_ results: [AttemptResult], in transaction: PostgresTransaction) async throws -> [AttemptResult] {
        guard !results.isEmpty else { return [] }
        let rows = try await transaction.query(
            """
            WITH done AS (
                SELECT r, k, act, a::int AS a, st, oc, nullif(de, '') AS de, lg, ms::bigint AS ms
                FROM unnest(\(bind: PostgresArrayBind.uuids(results.map { Self.rolloutID($0.claimed.job.rolloutId) })),
                            \(bind: PostgresArrayBind.texts(results.map(\.claimed.job.taskKey))),
                            \(bind: PostgresArrayBind.texts(results.map(\.claimed.job.action.rawValue))),
                            \(bind: PostgresArrayBind.texts(results.map { String($0.claimed.job.attempt) })),
                            \(bind: PostgresArrayBind.texts(results.map(\.targetState.rawValue))),
                            \(bind: PostgresArrayBind.texts(results.map(\.outcome))),
                            \(bind: PostgresArrayBind.texts(results.map { $0.detail ?? "" })),
                            \(bind: PostgresArrayBind.texts(results.map(\.log))),
                            \(bind: PostgresArrayBind.texts(results.map { String(Self.milliseconds($0.duration)) }))
                     ) AS u(r, k, act, a, st, oc, de, lg, ms)
            ), updated AS (
                UPDATE \(identifier: schema).targets t
                SET state = d.st, lease_owner = NULL, lease_until = NULL,
                    finished_at = CASE WHEN d.st IN ('pending') THEN NULL ELSE now() END,
                    succeeded_at = CASE WHEN d.st = 'succeeded' AND d.act = 'deploy' THEN now() ELSE t.succeeded_at END,
                    pool = CASE WHEN d.st = 'pending' THEN NULL ELSE t.pool END,
                    detail = d.de
                FROM done d
                WHERE t.rollout_id = d.r AND t.task_key = d.k AND t.action = d.act AND t.attempts = d.a
                  AND t.lease_owner = \(replica) AND t.state = 'running'
                RETURNING t.rollout_id, t.task_key
            ), finished AS (
                UPDATE \(identifier: schema).attempts at
                SET outcome = CASE WHEN u.task_key IS NULL THEN 'superseded' ELSE d.oc END, finished_at = now(),
                    duration_ms = d.ms, detail = d.de, log = d.lg
                FROM done d LEFT JOIN updated u ON u.rollout_id = d.r AND u.task_key = d.k
                WHERE at.rollout_id = d.r AND at.task_key = d.k AND at.action = d.act AND at.attempt = d.a
                  AND at.outcome = 'running'
            )
            SELECT rollout_id, task_key FROM updated
            """, label: "record deploy outcomes")
        var recorded = Set<String>()
        for row in rows {
            let (id, key) = try row.decode((UUID, String).self)
            recorded.insert(id.uuidString.lowercased() + "/" + key)
        }
        return results.filter { recorded.contains($0.claimed.job.rolloutId + "/" + $0.claimed.job.taskKey) }
    }

    /// The rollout's id; a malformed one (refused before a job is claimed) matches no row.
    static func rolloutID(_ text: String) -> UUID {
        UUID(uuidString: text) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
