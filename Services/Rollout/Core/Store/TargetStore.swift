import Contracts
import Foundation
import Postgres

/// A rollout's waves and targets as its coordinator reads and changes them, inside the
/// transaction that holds the rollout's row lock. Changes to many targets are one statement
/// each (arrays bound), so a pass over 10,000 targets stays a few round trips.
public struct TargetStore: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    public func waves(of rollout: UUID, in transaction: PostgresTransaction) async throws -> [WaveRow] {
        try await transaction.query(
            """
            SELECT index, kind, array_to_string(sites, E'\\n'), gate_kind, gate_seconds, opened_at, completed_at, approved_at IS NOT NULL
            FROM \(identifier: schema).waves WHERE rollout_id = \(rollout) ORDER BY index
            """, label: "load waves"
        ).map { row in
            let (index, kind, sites, gateKind, gateSeconds, openedAt, completedAt, approved) =
                try row.decode((Int, String, String, String, Int?, Date?, Date?, Bool).self)
            return WaveRow(
                index: index, kind: PlannedWaveKind(rawValue: kind), sites: Self.lines(sites),
                gateAfter: RolloutWaveGate(kind: RolloutGateKind(rawValue: gateKind), seconds: gateSeconds),
                openedAt: openedAt, completedAt: completedAt, approved: approved)
        }
    }

    /// Every target of the rollout.
    public func targets(of rollout: UUID, in transaction: PostgresTransaction) async throws -> [TargetRow] {
        try await targets(of: rollout, workingOn: nil, in: transaction)
    }

    /// With `workingOn` a wave: only the targets a coordinating pass needs then — that
    /// wave's, every one not settled in an earlier wave, every running or failed one, every
    /// one marked for backout. Those left out are settled in a way that releases their
    /// dependents (succeeded, skipped, excluded), backed out, or pending in a later wave, so
    /// the rules decide the same from the rest; a pass over a 10,000-target rollout in site
    /// waves then reads one wave's rows instead of all.
    public func targets(of rollout: UUID, workingOn wave: Int?, in transaction: PostgresTransaction) async throws -> [TargetRow] {
        try await transaction.query(
            """
            SELECT task_key, target, site, wave, position, array_to_string(depends_on, E'\\n'), state, action, attempts,
                   lease_until, backout_seq, succeeded_at
            FROM \(identifier: schema).targets
            WHERE rollout_id = \(rollout)
              AND (\(wave)::int IS NULL OR wave = \(wave) OR state IN ('running', 'failed') OR backout_seq IS NOT NULL
                   OR (wave < \(wave) AND state = 'pending'))
            ORDER BY wave, position
            """, label: "load targets"
        ).map { row in
            TargetRow(
                taskKey: try row.decode(at: 0), target: try row.decode(at: 1), site: try row.decode(at: 2), wave: try row.decode(at: 3),
                position: try row.decode(at: 4), dependsOn: Self.lines(try row.decode(at: 5)),
                state: RolloutTargetState(rawValue: try row.decode(at: 6)), action: DeployJobAction(rawValue: try row.decode(at: 7)),
                attempts: try row.decode(at: 8), leaseUntil: try row.decode(at: 9), backoutSeq: try row.decode(at: 10),
                succeededAt: try row.decode(at: 11))
        }
    }

    /// Targets by state name, and the given wave's succeeded, failed and total (for events).
    public func counts(of rollout: UUID, wave: Int, in transaction: PostgresTransaction) async throws -> (byState: [String: Int], wave: (succeeded: Int, failed: Int, total: Int)) {
        var byState: [String: Int] = [:]
        var inWave = (succeeded: 0, failed: 0, total: 0)
        for row in try await transaction.query(
            """
            SELECT state, count(*)::int, (count(*) FILTER (WHERE wave = \(wave)))::int FROM \(identifier: schema).targets
            WHERE rollout_id = \(rollout) GROUP BY state
            """, label: "count targets") {
            let (state, all, waveCount) = try row.decode((String, Int, Int).self)
            byState[state] = all
            inWave.total += waveCount
            if state == "succeeded" { inWave.succeeded = waveCount }
            if state == "failed" { inWave.failed = waveCount }
        }
        return (byState, inWave)
    }

    /// Dispatches targets as a new attempt each: running, `action`, routed to `pools[i]`,
    /// no lease yet. Answers the attempt numbers, for the deploy jobs.
    public func dispatch(
        _ rollout: UUID, keys: [String], pools: [String], action: DeployJobAction, in transaction: PostgresTransaction
    ) async throws -> [String: Int] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await transaction.query(
            """
            UPDATE \(identifier: schema).targets t
            SET state = 'running', action = \(action.rawValue), attempts = t.attempts + 1, pool = u.p, dispatched_at = now(),
                lease_owner = NULL, lease_until = NULL, finished_at = NULL
            FROM unnest(\(bind: PostgresArrayBind.texts(keys)), \(bind: PostgresArrayBind.texts(pools))) AS u(k, p)
            WHERE t.rollout_id = \(rollout) AND t.task_key = u.k
            RETURNING t.task_key, t.attempts
            """, label: "dispatch targets")
        var attempts: [String: Int] = [:]
        for row in rows {
            let (key, attempt) = try row.decode((String, Int).self)
            attempts[key] = attempt
        }
        return attempts
    }

    /// Targets whose worker's lease ran out (the replica died or lost its database): their
    /// attempt is recorded as abandoned and the targets are answered, to be dispatched again.
    public func takeBackExpiredLeases(_ rollout: UUID, in transaction: PostgresTransaction) async throws -> [(key: String, action: DeployJobAction)] {
        try await transaction.query(
            """
            WITH expired AS (
                UPDATE \(identifier: schema).targets
                SET lease_owner = NULL, lease_until = NULL
                WHERE rollout_id = \(rollout) AND state = 'running' AND lease_until < now()
                RETURNING task_key, action, attempts
            ), abandoned AS (
                UPDATE \(identifier: schema).attempts a
                SET outcome = 'abandoned', finished_at = now(), detail = 'the replica running it stopped answering (lease expired)'
                FROM expired e
                WHERE a.rollout_id = \(rollout) AND a.task_key = e.task_key AND a.action = e.action AND a.attempt = e.attempts
                  AND a.outcome = 'running'
            )
            SELECT task_key, action FROM expired ORDER BY task_key
            """, label: "take back expired leases"
        ).map { row in
            let (key, action) = try row.decode((String, String).self)
            return (key, DeployJobAction(rawValue: action))
        }
    }

    /// Marks targets to be backed out, in this order (after any already marked).
    public func markForBackout(_ rollout: UUID, keys: [String], in transaction: PostgresTransaction) async throws {
        guard !keys.isEmpty else { return }
        _ = try await transaction.query(
            """
            UPDATE \(identifier: schema).targets t
            SET backout_seq = coalesce((SELECT max(backout_seq) FROM \(identifier: schema).targets WHERE rollout_id = \(rollout)), 0) + u.n
            FROM unnest(\(bind: PostgresArrayBind.texts(keys))) WITH ORDINALITY AS u(k, n)
            WHERE t.rollout_id = \(rollout) AND t.task_key = u.k AND t.backout_seq IS NULL
            """, label: "mark targets for backout")
    }

    /// A person's change to targets (retry → pending, skip, exclude): only targets still in
    /// `from` change. Answers the keys that changed.
    public func setState(
        _ rollout: UUID, keys: [String], to state: RolloutTargetState, from: [RolloutTargetState], detail: String?,
        in transaction: PostgresTransaction
    ) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        return try await transaction.query(
            """
            UPDATE \(identifier: schema).targets
            SET state = \(state.rawValue), detail = \(detail), pool = NULL,
                finished_at = CASE WHEN \(state.rawValue) IN ('skipped', 'excluded') THEN now() ELSE NULL END
            WHERE rollout_id = \(rollout) AND task_key = ANY(\(bind: PostgresArrayBind.texts(keys)))
              AND state = ANY(\(bind: PostgresArrayBind.texts(from.map(\.rawValue))))
            RETURNING task_key
            """, label: "change targets"
        ).map { try $0.decode(at: 0, as: String.self) }.sorted()
    }

    /// The task keys of `rollout` that `names` mean: task keys as given, CI keys as every
    /// rollout to that CI. Unknown names are answered apart.
    public func resolve(_ rollout: UUID, names: [String], in transaction: PostgresTransaction) async throws -> (keys: [String], unknown: [String]) {
        let rows = try await transaction.query(
            """
            SELECT n, t.task_key FROM unnest(\(bind: PostgresArrayBind.texts(names))) AS n
            LEFT JOIN \(identifier: schema).targets t
              ON t.rollout_id = \(rollout) AND (t.task_key = lower(n) OR t.target = n)
            """, label: "resolve target names")
        var keys: [String] = [], unknown: [String] = []
        for row in rows {
            let (name, key) = try row.decode((String, String?).self)
            if let key { keys.append(key) } else { unknown.append(name) }
        }
        return (Array(Set(keys)).sorted(), unknown)
    }

    static func lines(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n").map(String.init)
    }
}

