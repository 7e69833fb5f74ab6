import Foundation
import PlanningCore
import Postgres

/// Transitive dependents of one CI in a 100,000-CI graph (issue 4's ≤ 50 ms target),
/// beside a plain indexed lookup of the same CI's direct dependents in the same run; and the
/// impact set of a hub CI that half the bottom layer depends on (issue 9's ≤ 250 ms p95),
/// timed on `CIRepository.impactSet` (what a release's impact set runs after reading its
/// changed CIs: while the CMDB is unchanged, a walk over the in-memory snapshot), beside the
/// same set walked with an index lookup per CI in the same run; and what a read right after a
/// CMDB change costs (the hashed walk in PostgreSQL) and the snapshot load it starts.
///
/// The graph is layered: 8 layers of 12,500 CIs; every CI above the bottom layer depends
/// on 3 CIs of the layer below (two `depends_on`, one `runs_on`), chosen by multipliers
/// coprime to the layer width, so each CI has exactly 3 direct dependents and the bottom
/// CI `CI-BENCH-000001` has about 3,000 transitive dependents (3 + 9 + … + 3^7 = 3,279
/// less the few CIs two branches reach).
enum PlanningBenchmarks {
    static let schema = "bench_planning_ci"

    static func run(databaseURL: String, migrations: String, runs: Int = 20) async throws -> [BenchmarkRow] {
        let configuration = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: configuration)
        let pool = PostgresPool(configuration: configuration, maxConnections: 2)
        let repository = CIRepository(schema: schema, pool: pool)
        let width = 12_500
        try await buildGraph(pool, items: 100_000, width: width)

        let root = "CI-BENCH-000001"
        let reached = try await repository.transitiveDependents(of: [root]).count
        let transitive = try await medianMilliseconds(runs) { _ = try await repository.transitiveDependents(of: [root]) }
        let direct = try await medianMilliseconds(runs) { _ = try await repository.dependents(of: root) }

        // A hub: half of the bottom layer depends on it, so most of the graph does too.
        try await addHub(pool, dependents: width / 2)
        // Cold: the first read after a CMDB change walks in PostgreSQL (hashed walk) while the
        // snapshot loads in the background; the load itself is timed on its own.
        let impacted = try await repository.impactSet(changedCIKeys: [hub], traversal: .hashedRelationships).count
        let cold = try await percentilesMilliseconds(max(5, runs / 4)) {
            _ = try await repository.impactSet(changedCIKeys: [hub], traversal: .hashedRelationships)
        }
        let load = try await medianMilliseconds(3) { _ = try await CMDBSnapshotLoader.time(schema: schema, pool: pool) }
        // Warm: what `impactSet` does while the CMDB is unchanged (version check, walk in memory).
        _ = try await repository.impactSet(changedCIKeys: [hub], traversal: .snapshot)
        let impact = try await percentilesMilliseconds(runs) { _ = try await repository.impactSet(changedCIKeys: [hub]) }
        // The same impact set walked with an index lookup per CI, as before the hashed walk.
        let indexed = try await percentilesMilliseconds(max(5, runs / 4)) {
            _ = try await repository.impactSet(changedCIKeys: [hub], traversal: .indexLookups)
        }
        _ = try await pool.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
        await pool.close()
        return [
            BenchmarkRow(name: "CI transitive dependents (100k CIs, \(reached) hit)", value: transitive, unit: "ms",
                         baselineName: "direct dependents, same CI", baseline: direct, target: 50, targetIsMaximum: true),
            BenchmarkRow(name: "impact set of a hub CI (\(impacted) CIs), p50", value: impact.p50, unit: "ms",
                         baselineName: "index lookup per CI, p50", baseline: indexed.p50, target: nil),
            BenchmarkRow(name: "impact set of a hub CI, p95", value: impact.p95, unit: "ms",
                         baselineName: "index lookup per CI, p95", baseline: indexed.p95, target: 250, targetIsMaximum: true),
            BenchmarkRow(name: "impact set of a hub CI after a CMDB change (hashed SQL walk), p95", value: cold.p95, unit: "ms",
                         baselineName: "index lookup per CI, p95", baseline: indexed.p95, target: nil),
            BenchmarkRow(name: "CMDB snapshot load (100k CIs, background after a change)", value: load, unit: "ms",
                         baselineName: "hashed SQL walk, p50", baseline: cold.p50, target: nil),
        ]
    }

    static let hub = "CI-HUB-0001"

    /// Adds the hub CI and makes the first `dependents` CIs of the bottom layer depend on it.
    private static func addHub(_ pool: PostgresPool, dependents: Int) async throws {
        _ = try await pool.query(
            "INSERT INTO \(identifier: schema).configuration_items (key, name, class, site) VALUES (\(hub), 'hub', 'database', 'SITE0')")
        _ = try await pool.query(
            """
            INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
            SELECT s.id, h.id, 'depends_on'
            FROM generate_series(1, \(dependents)::int) AS g
            JOIN \(identifier: schema).configuration_items s ON s.key = 'CI-BENCH-' || lpad(g::text, 6, '0')
            JOIN \(identifier: schema).configuration_items h ON h.key = \(hub)
            """)
        _ = try await pool.query("VACUUM ANALYZE \(identifier: schema).ci_relationships")
    }

    /// The 50th and 95th percentile wall times of `runs` calls after two warm-up calls, in milliseconds.
    private static func percentilesMilliseconds(_ runs: Int, _ body: () async throws -> Void) async throws -> (p50: Double, p95: Double) {
        let samples = try await sampledMilliseconds(runs, body)
        return (samples[samples.count / 2], samples[min(samples.count - 1, Int((Double(samples.count) * 0.95).rounded(.up)) - 1)])
    }

    /// Creates the schema afresh and fills it with set-based INSERT … SELECT statements.
    private static func buildGraph(_ pool: PostgresPool, items: Int, width: Int) async throws {
        _ = try await pool.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
        _ = try await pool.query("SELECT public.shipboard_create_planning_ci_tables(\(schema))")
        _ = try await pool.query(
            """
            INSERT INTO \(identifier: schema).configuration_items (key, name, class, site)
            SELECT 'CI-BENCH-' || lpad(g::text, 6, '0'), 'bench item ' || g, 'application', 'SITE' || (g % 3)
            FROM generate_series(1, \(items)::int) AS g
            """)
        _ = try await pool.query(
            """
            INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
            SELECT s.id, t.id, CASE WHEN m.k = 13 THEN 'runs_on' ELSE 'depends_on' END
            FROM generate_series(\(width)::int + 1, \(items)::int) AS g
            CROSS JOIN (VALUES (7, 0), (11, 1), (13, 2)) AS m(k, c)
            JOIN \(identifier: schema).configuration_items s ON s.key = 'CI-BENCH-' || lpad(g::text, 6, '0')
            JOIN \(identifier: schema).configuration_items t ON t.key = 'CI-BENCH-' || lpad(
                (((g - 1) / \(width)::int - 1) * \(width)::int + (((g - 1) % \(width)::int) * m.k + m.c) % \(width)::int + 1)::text, 6, '0')
            ON CONFLICT DO NOTHING
            """)
        // VACUUM sets the visibility map as autovacuum would in steady state, so the
        // relationship lookups can be index-only scans.
        _ = try await pool.query("VACUUM ANALYZE \(identifier: schema).configuration_items")
        _ = try await pool.query("VACUUM ANALYZE \(identifier: schema).ci_relationships")
    }
}
