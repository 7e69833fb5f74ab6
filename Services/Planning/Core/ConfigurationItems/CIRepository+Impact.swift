import Contracts
import Postgres

/// The impact set of a change, walked one of two ways with the same result:
///
/// - `indexLookups`: a recursive CTE that looks up each reached CI's dependents and wholes in
///   the relationship indexes (two index lookups per CI). Cheap for a small impact set, but
///   about 11 µs per CI reached: a hub reaching 92,000 CIs took 1.1–1.25 s.
/// - `hashedRelationships`: a recursive CTE whose recursive term probes a hash of every
///   relationship with the whole working table (one level per iteration). The hash is built
///   once and reused by every level (PostgreSQL keeps a hash join's table across rescans when
///   its inner side does not change), so the cost is one scan of the relationships plus a probe
///   per CI reached: about 2.5 times faster on that hub, but a fixed cost of about 100 ms per
///   270,000 relationships that a small impact set does not need.
///
/// - `snapshot`: the walk in memory over a ``CMDBSnapshot`` of the whole graph, valid for the
///   current `cmdb_version` only: a few milliseconds for the hub, once the snapshot is loaded.
///
/// ``impactSet(changedCIKeys:)`` uses the snapshot when the cache holds one at the current
/// version. Otherwise (after any CMDB change, or at start) the cache starts loading one, and
/// meanwhile it walks in PostgreSQL: with index lookups up to ``impactIndexLookupLimit`` CIs
/// (that walk stops there), then fetches those CIs and their sites; past it, it starts again
/// with the hashed walk.
extension CIRepository {
    /// How ``impactSet(changedCIKeys:traversal:)`` walks the relationships.
    public enum ImpactTraversal: CaseIterable, Sendable {
        /// A recursive CTE with two index lookups per CI reached.
        case indexLookups
        /// A recursive CTE probing one hash of every relationship per level.
        case hashedRelationships
        /// In memory, over the snapshot at the current CMDB version (loaded first when needed).
        case snapshot
    }

    /// Impact sets reaching more CIs than this are walked with a hash of the relationships.
    static let impactIndexLookupLimit = 2_000

    /// The impact set of a change, sorted by key: the changed CIs that exist; everything
    /// reached from them by walking, any number of times, to a CI that depends on or runs on
    /// one reached (`depends_on`, `runs_on`, target to source) or to the whole a reached CI is
    /// `part_of` (upward, source to target); and the site each reached CI is `located_at` (one
    /// step: what else is at that site is not impacted for being there). Terminates on cycles.
    public func impactSet(changedCIKeys: [String]) async throws -> [ConfigurationItem] {
        if let snapshot = try await CMDBSnapshotCache.shared.snapshot(schema: schema, pool: pool) {
            return snapshot.impactSet(changedKeys: changedCIKeys)
        }
        if let reached = try await reachedByIndex(from: changedCIKeys, limit: Self.impactIndexLookupLimit) {
            return try await items(reached: reached)
        }
        return try await hashedImpactSet(changedCIKeys)
    }

    /// The impact set walked the given way (both give the same result; tests and the
    /// benchmark run both).
    public func impactSet(changedCIKeys: [String], traversal: ImpactTraversal) async throws -> [ConfigurationItem] {
        switch traversal {
        case .indexLookups: return try await items(reached: reachedByIndex(from: changedCIKeys, limit: nil) ?? [])
        case .hashedRelationships: return try await hashedImpactSet(changedCIKeys)
        case .snapshot:
            return try await CMDBSnapshotCache.shared.loadedSnapshot(schema: schema, pool: pool).impactSet(changedKeys: changedCIKeys)
        }
    }

    /// The ids of the CIs the dependents-and-wholes walk from `keys` reaches, the changed CIs
    /// that exist included; nil when there are more than `limit` (the walk stops after
    /// `limit + 1`, so the probe costs at most that many lookups; `LIMIT NULL` is no limit).
    private func reachedByIndex(from keys: [String], limit: Int?) async throws -> [String]? {
        let rows = try await pool.query(
            """
            WITH RECURSIVE reached(id) AS (
                SELECT id FROM \(identifier: schema).configuration_items WHERE key = ANY(\(Self.textArray(keys))::text[])
                UNION
                -- Two index lookups per CI reached (by target for dependents, by source for the
                -- whole): an OR in one join condition would scan every relationship instead.
                SELECT step.id FROM reached CROSS JOIN LATERAL (
                    SELECT r.source_id AS id FROM \(identifier: schema).ci_relationships r
                    WHERE r.target_id = reached.id AND r.kind = ANY(\(Self.dependencyKindArray)::text[])
                    UNION ALL
                    SELECT r.target_id FROM \(identifier: schema).ci_relationships r
                    WHERE r.source_id = reached.id AND r.kind = \(CIRelationshipKind.partOf.rawValue)
                ) AS step
            )
            SELECT id::text FROM reached LIMIT \(limit.map { $0 + 1 })
            """)
        if let limit, rows.count > limit { return nil }
        return try rows.map { try $0.decode(at: 0, as: String.self) }
    }

    /// The CIs with ids `reached` and the sites they are `located_at`, sorted by key.
    private func items(reached: [String]) async throws -> [ConfigurationItem] {
        guard !reached.isEmpty else { return [] }
        return try await pool.query(
            """
            WITH reached(id) AS (SELECT unnest(\(Self.textArray(reached))::uuid[])),
            impacted(id) AS (
                SELECT id FROM reached
                UNION
                SELECT r.target_id FROM reached
                JOIN \(identifier: schema).ci_relationships r ON r.source_id = reached.id AND r.kind = \(CIRelationshipKind.locatedAt.rawValue)
            )
            SELECT c.key, c.name, c.class, c.site, c.attributes FROM impacted
            JOIN \(identifier: schema).configuration_items c ON c.id = impacted.id
            ORDER BY c.key
            """).map(Self.decodeItem)
    }

    /// Planner settings for this transaction only: hash joins (no nested loop with an index
    /// lookup per CI, no merge join re-sorting the relationships per level), room for the
    /// relationship hash in one batch (a hash split into batches is rebuilt on every rescan),
    /// and no JIT (the over-estimated seed below makes the plan look costly enough to compile,
    /// which takes longer than the query).
    private static let hashedWalkSettings: [(String, String)] = [
        ("enable_nestloop", "off"), ("enable_mergejoin", "off"), ("work_mem", "32MB"), ("jit", "off"),
    ]

    private func hashedImpactSet(_ keys: [String]) async throws -> [ConfigurationItem] {
        let rows = try await inTransaction { transaction -> PostgresRows in
            for (name, value) in Self.hashedWalkSettings {
                _ = try await transaction.query("SELECT set_config(\(name), \(value), true)")
            }
            // `site_step` marks a CI reached over `located_at`: it is impacted but not walked on.
            // The seed filters with array_position, which the planner estimates as most of the
            // table (it cannot see into the call): with the working table estimated that large,
            // it hashes the relationships and probes them with the working table, not the
            // reverse, and so builds that hash once instead of rescanning every relationship
            // per level. `key = ANY(...)` would be estimated at one row per key.
            return try await transaction.query(
                """
                WITH RECURSIVE reached(id, site_step) AS (
                    SELECT id, false FROM \(identifier: schema).configuration_items
                    WHERE array_position(\(Self.textArray(keys))::text[], key) IS NOT NULL
                    UNION
                    SELECT e.to_id, e.site_step FROM reached JOIN (
                        SELECT CASE WHEN r.kind = ANY(\(Self.dependencyKindArray)::text[]) THEN r.target_id ELSE r.source_id END AS from_id,
                               CASE WHEN r.kind = ANY(\(Self.dependencyKindArray)::text[]) THEN r.source_id ELSE r.target_id END AS to_id,
                               r.kind = \(CIRelationshipKind.locatedAt.rawValue) AS site_step
                        FROM \(identifier: schema).ci_relationships r
                        WHERE r.kind = ANY(\(Self.walkedKindArray)::text[])
                    ) AS e ON e.from_id = reached.id
                    WHERE NOT reached.site_step
                )
                SELECT c.key, c.name, c.class, c.site, c.attributes FROM \(identifier: schema).configuration_items c
                WHERE c.id IN (SELECT id FROM reached)
                ORDER BY c.key
                """)
        }
        return try rows.map(Self.decodeItem)
    }

    private static var dependencyKindArray: String { textArray(CIRelationshipKind.dependencyKinds.map(\.rawValue)) }

    /// Every kind the hashed walk follows: dependencies and `part_of` (walked on), `located_at` (one step).
    private static var walkedKindArray: String {
        textArray((CIRelationshipKind.dependencyKinds + [.partOf, .locatedAt]).map(\.rawValue))
    }
}
