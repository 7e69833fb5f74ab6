import Foundation
import PlanningCore
import Postgres

/// Transitive dependents of one CI in a 100,000-CI graph (issue 4's ≤ 50 ms target),
/// beside a plain indexed lookup of the same CI's direct dependents in the same run.
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
        try await buildGraph(pool, items: 100_000, width: 12_500)

        let root = "CI-BENCH-000001"
        let reached = try await repository.transitiveDependents(of: [root]).count
        let transitive = try await medianMilliseconds(runs) { _ = try await repository.transitiveDependents(of: [root]) }
        let direct = try await medianMilliseconds(runs) { _ = try await repository.dependents(of: root) }
        _ = try await pool.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
        await pool.close()
        return [
            BenchmarkRow(name: "CI transitive dependents (100k CIs, \(reached) hit)", value: transitive, unit: "ms",
                         baselineName: "direct dependents, same CI", baseline: direct, target: 50, targetIsMaximum: true),
        ]
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

    /// The median wall time of `runs` calls after two warm-up calls, in milliseconds.
    private static func medianMilliseconds(_ runs: Int, _ body: () async throws -> Void) async throws -> Double {
        try await body()
        try await body()
        var samples: [Double] = []
        for _ in 0..<runs {
            let started = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - started
            samples.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
