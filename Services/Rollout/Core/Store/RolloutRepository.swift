import Contracts
import Foundation
import Postgres

/// `<schema>.rollouts`, `waves` and `targets`, inside the caller's transaction.
public struct RolloutRepository: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The release's rollout that is not final (at most one), locked for update when `lock`.
    public func live(releaseKey: String, lock: Bool, in transaction: PostgresTransaction) async throws -> RolloutRecord? {
        let rows = try await transaction.query(
            """
            SELECT id FROM \(identifier: schema).rollouts
            WHERE release_key = \(releaseKey) AND state NOT IN ('backed_out', 'aborted', 'completed')
            """, label: "find live rollout")
        guard let id = try rows.first?.decode(at: 0, as: UUID.self) else { return nil }
        return lock ? try await self.lock(id, skipLocked: false, in: transaction) : try await load(id, in: transaction)
    }

    /// The release's latest rollout, final or not.
    public func latest(releaseKey: String, in transaction: PostgresTransaction) async throws -> RolloutRecord? {
        let rows = try await transaction.query(
            "SELECT id FROM \(identifier: schema).rollouts WHERE release_key = \(releaseKey) ORDER BY planned_at DESC LIMIT 1",
            label: "find latest rollout")
        guard let id = try rows.first?.decode(at: 0, as: UUID.self) else { return nil }
        return try await load(id, in: transaction)
    }

    /// The rollout `id`, locked for update; nil when it is gone, or when another replica
    /// holds its lock and `skipLocked` (that replica is coordinating it now).
    public func lock(_ id: UUID, skipLocked: Bool, in transaction: PostgresTransaction) async throws -> RolloutRecord? {
        let rows = skipLocked
            ? try await transaction.query(
                "SELECT id FROM \(identifier: schema).rollouts WHERE id = \(id) FOR UPDATE SKIP LOCKED", label: "try-lock rollout")
            : try await transaction.query("SELECT id FROM \(identifier: schema).rollouts WHERE id = \(id) FOR UPDATE", label: "lock rollout")
        guard !rows.isEmpty else { return nil }
        return try await load(id, in: transaction)
    }

    /// The rollout `id` as stored, or nil.
    public func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> RolloutRecord? {
        let rows = try await transaction.query(
            """
            SELECT id, release_key, state, current_wave, array_to_string(sources, E'\\n'), window_size, threshold_kind,
                   threshold_value, halt_after, backout_scope, image_name, image_version, image_sha256, plan_task_key,
                   start_task_key, reason, wake_at
            FROM \(identifier: schema).rollouts WHERE id = \(id)
            """, label: "load rollout")
        return try rows.first.map(Self.record(from:))
    }

    static func record(from row: PostgresRow) throws -> RolloutRecord {
        let sources = try row.decode(at: 4, as: String.self)
        return RolloutRecord(
            id: try row.decode(at: 0), releaseKey: try row.decode(at: 1), state: RolloutState(rawValue: try row.decode(at: 2)),
            currentWave: try row.decode(at: 3), sources: sources.isEmpty ? [] : sources.split(separator: "\n").map(String.init),
            window: try row.decode(at: 5),
            threshold: RolloutFailureThreshold(
                kind: RolloutThresholdKind(rawValue: try row.decode(at: 6)), value: try row.decode(at: 7)),
            haltAfter: try row.decode(at: 8), backoutScope: RolloutBackoutScope(rawValue: try row.decode(at: 9)),
            image: RolloutImage(name: try row.decode(at: 10), version: try row.decode(at: 11), sha256: try row.decode(at: 12)),
            planTaskKey: try row.decode(at: 13), startTaskKey: try row.decode(at: 14), reason: try row.decode(at: 15),
            wakeAt: try row.decode(at: 16))
    }

    /// Stores a new plan: the rollout, its waves and its targets (three statements, arrays bound).
    public func insert(
        _ plan: RolloutPlan, id: UUID, releaseKey: String, image: RolloutImage, definition: RolloutDefinition,
        plannedBy: String, planTaskKey: String?, in transaction: PostgresTransaction
    ) async throws {
        _ = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).rollouts
                (id, release_key, state, sources, window_size, threshold_kind, threshold_value, halt_after, backout_scope,
                 image_name, image_version, image_sha256, definition, plan_task_key, planned_by)
            VALUES (\(id), \(releaseKey), 'planned', \(bind: PostgresArrayBind.texts(plan.sources)), \(plan.window),
                    \(plan.failureThreshold.kind.rawValue), \(plan.failureThreshold.value), \(plan.haltAfterFailures),
                    \(plan.backoutScope.rawValue), \(image.name), \(image.version), \(image.sha256),
                    \(json: definition)::jsonb, \(planTaskKey), \(plannedBy))
            """, label: "insert rollout")
        let waves = plan.waves
        _ = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).waves (rollout_id, index, kind, sites, gate_kind, gate_seconds)
            SELECT \(id), i::int, k, ARRAY(SELECT jsonb_array_elements_text(s::jsonb)), g, nullif(gs::int, 0)
            FROM unnest(\(bind: PostgresArrayBind.texts(waves.map { String($0.index) })),
                        \(bind: PostgresArrayBind.texts(waves.map(\.kind.rawValue))),
                        \(bind: PostgresArrayBind.texts(waves.map { Self.json($0.sites) })),
                        \(bind: PostgresArrayBind.texts(waves.map(\.gateAfter.kind.rawValue))),
                        \(bind: PostgresArrayBind.texts(waves.map { String($0.gateAfter.seconds ?? 0) }))) AS u(i, k, s, g, gs)
            """, label: "insert waves")
        let rollouts = plan.rollouts
        _ = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).targets
                (rollout_id, task_key, source, target, site, wave, batch, position, depends_on)
            SELECT \(id), k, s, t, si, w::int, b::int, p::int, ARRAY(SELECT jsonb_array_elements_text(d::jsonb))
            FROM unnest(\(bind: PostgresArrayBind.texts(rollouts.map(\.taskKey))), \(bind: PostgresArrayBind.texts(rollouts.map(\.source))),
                        \(bind: PostgresArrayBind.texts(rollouts.map(\.target))), \(bind: PostgresArrayBind.texts(rollouts.map(\.site))),
                        \(bind: PostgresArrayBind.texts(rollouts.map { String($0.wave) })),
                        \(bind: PostgresArrayBind.texts(rollouts.map { String($0.batch) })),
                        \(bind: PostgresArrayBind.texts(rollouts.map { String($0.position) })),
                        \(bind: PostgresArrayBind.texts(rollouts.map { Self.json($0.dependsOn) }))) AS u(k, s, t, si, w, b, p, d)
            """, label: "insert targets")
    }

    /// Removes a rollout that never started (replaced by a new plan), with its rows.
    public func delete(_ id: UUID, in transaction: PostgresTransaction) async throws {
        _ = try await transaction.query(
            "DELETE FROM \(identifier: schema).rollouts WHERE id = \(id) AND state = 'planned'", label: "delete planned rollout")
    }

    private static func json(_ values: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(values), as: UTF8.self)) ?? "[]"
    }
}
