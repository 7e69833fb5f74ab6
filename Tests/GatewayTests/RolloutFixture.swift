import Foundation
import Postgres
import ShipboardTestSupport

/// A rollout written straight into shipboard-rollout's tables as the owner (as its replicas
/// would have), for the gateway's reads: three waves over two sites, targets in every
/// interesting state, one pool with a live worker (`west`, dc1) and one whose only worker is
/// gone (`east`, dc2), so dc2's dispatched targets wait. The rollout is `paused`, so no
/// shipboard-rollout replica another test runs coordinates it; ``close()`` deletes its rows.
struct RolloutFixture {
    let owner: PostgresPool
    let service: PostgresPool
    let releaseKey: String
    let rolloutId = UUID()
    /// Unique per test, so runs and parallel tests never see each other's workers.
    let pools: (west: String, east: String)

    static func make(releaseKey: String? = nil) async throws -> RolloutFixture {
        let url = try TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")
        try await MigrationGate.shared.ensureMigrated(try PostgresConfiguration(url: url))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return RolloutFixture(
            owner: PostgresPool(configuration: try PostgresConfiguration(url: url), maxConnections: 1),
            service: PostgresPool(
                configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")), maxConnections: 1),
            releaseKey: releaseKey ?? "REL-\(Int.random(in: 70_000_000...79_999_999))", pools: ("west-\(suffix)", "east-\(suffix)"))
    }

    /// A fixture with its rollout and nine targets in place (``insertTargets()``).
    static func withNineTargets(releaseKey: String? = nil) async throws -> RolloutFixture {
        let fixture = try await make(releaseKey: releaseKey)
        try await fixture.insertRollout()
        try await fixture.insertTargets()
        return fixture
    }

    func close() async {
        _ = try? await owner.query("DELETE FROM rollout.rollouts WHERE id = \(rolloutId)")
        _ = try? await owner.query("DELETE FROM rollout.workers WHERE pool = \(pools.west) OR pool = \(pools.east)")
        await owner.close()
        await service.close()
    }

    /// The rollout row, its waves and workers (no targets).
    func insertRollout(state: String = "paused", currentWave: Int = 1) async throws {
        try await owner.query(
            """
            INSERT INTO rollout.rollouts (id, release_key, state, current_wave, sources, window_size, threshold_kind, threshold_value,
                                          halt_after, backout_scope, image_name, image_version, image_sha256, definition,
                                          planned_by, started_by, started_at)
            VALUES (\(rolloutId), \(releaseKey), \(state), \(currentWave), '{CI-APP-0001}', 5, 'count', 2, 2, 'current_wave',
                    'payroll', '4.2.0', \(String(repeating: "ab", count: 32)), '{}', 'rita', 'olga', now() - interval '10 minutes')
            """)
        try await owner.query(
            """
            INSERT INTO rollout.waves (rollout_id, index, kind, sites, gate_kind, gate_seconds, opened_at, completed_at,
                                       approved_by, approved_at)
            VALUES (\(rolloutId), 0, 'canary', '{dc1,dc2}', 'approval', NULL, now() - interval '9 minutes', now() - interval '5 minutes',
                    'anna', now() - interval '4 minutes'),
                   (\(rolloutId), 1, 'site', '{dc1}', 'pause', 300, now() - interval '4 minutes', NULL, NULL, NULL),
                   (\(rolloutId), 2, 'site', '{dc2}', 'none', NULL, NULL, NULL, NULL, NULL)
            """)
        try await owner.query(
            """
            INSERT INTO rollout.workers (replica, pool, sites, concurrency, seen_at)
            VALUES (\(pools.west + "-1"), \(pools.west), '{dc1}', 4, now()),
                   (\(pools.east + "-1"), \(pools.east), '{dc2}', 4, now() - interval '5 minutes')
            """)
    }

    /// Nine targets: wave 0 two succeeded (one 10 s ago, one 2 h ago); wave 1 at dc1 one
    /// succeeded and one failed in the last minute, one deploying, one pending; wave 2 at dc2
    /// two dispatched to the gone pool and unclaimed, one pending.
    func insertTargets() async throws {
        let (west, east) = pools
        try await owner.query(
            """
            INSERT INTO rollout.targets (rollout_id, task_key, source, target, site, wave, batch, position, state, attempts, pool,
                                         dispatched_at, lease_owner, lease_until, finished_at, detail)
            VALUES (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0001', 'CI-APP-0001', 'CI-SRV-0001', 'dc1', 0, 0, 0, 'succeeded', 1, \(west),
                    now() - interval '1 minute', NULL, NULL, now() - interval '10 seconds', NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0002', 'CI-APP-0001', 'CI-SRV-0002', 'dc2', 0, 0, 1, 'succeeded', 1, \(east),
                    now() - interval '3 hours', NULL, NULL, now() - interval '2 hours', NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0003', 'CI-APP-0001', 'CI-SRV-0003', 'dc1', 1, 0, 0, 'succeeded', 1, \(west),
                    now() - interval '1 minute', NULL, NULL, now() - interval '20 seconds', NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0004', 'CI-APP-0001', 'CI-SRV-0004', 'dc1', 1, 0, 1, 'failed', 2, \(west),
                    now() - interval '1 minute', NULL, NULL, now() - interval '30 seconds', 'verify.sh exited 1'),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0005', 'CI-APP-0001', 'CI-SRV-0005', 'dc1', 1, 1, 2, 'running', 1, \(west),
                    now() - interval '5 seconds', \(west + "-1"), now() + interval '1 minute', NULL, NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0006', 'CI-APP-0001', 'CI-SRV-0006', 'dc1', 1, 1, 3, 'pending', 0, NULL,
                    NULL, NULL, NULL, NULL, NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0007', 'CI-APP-0001', 'CI-SRV-0007', 'dc2', 2, 0, 0, 'running', 1, \(east),
                    now() - interval '2 minutes', NULL, NULL, NULL, NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0008', 'CI-APP-0001', 'CI-SRV-0008', 'dc2', 2, 0, 1, 'running', 1, \(east),
                    now() - interval '2 minutes', NULL, NULL, NULL, NULL),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0009', 'CI-APP-0001', 'CI-SRV-0009', 'dc2', 2, 1, 2, 'pending', 0, NULL,
                    NULL, NULL, NULL, NULL, NULL)
            """)
        try await owner.query(
            """
            INSERT INTO rollout.attempts (rollout_id, task_key, action, attempt, replica, outcome, started_at, finished_at, duration_ms,
                                          detail, log)
            VALUES (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0004', 'deploy', 1, \(west + "-1"), 'failed',
                    now() - interval '3 minutes', now() - interval '170 seconds', 10000, 'install.sh exited 2', 'first try\nexit 2'),
                   (\(rolloutId), 'rollout-ci-app-0001-ci-srv-0004', 'deploy', 2, \(west + "-1"), 'failed',
                    now() - interval '1 minute', now() - interval '30 seconds', 30000, 'verify.sh exited 1', 'second try\nexit 1')
            """)
    }

    /// Target `taskKey` succeeded now (as a worker would record it): the progress changes.
    func succeed(_ taskKey: String) async throws {
        try await owner.query(
            "UPDATE rollout.targets SET state = 'succeeded', finished_at = now() WHERE rollout_id = \(rolloutId) AND task_key = \(taskKey)")
    }

    /// `count` more targets, all at site dc3 in wave 2, a third succeeded in the last minute.
    func insertMany(_ count: Int) async throws {
        try await owner.query(
            """
            INSERT INTO rollout.targets (rollout_id, task_key, source, target, site, wave, batch, position, state, finished_at)
            SELECT \(rolloutId), 'rollout-bulk-' || lpad(n::text, 6, '0'), 'CI-APP-0001', 'CI-BLK-' || lpad(n::text, 6, '0'), 'dc3', 2,
                   n / 5, 100 + n, CASE WHEN n % 3 = 0 THEN 'succeeded' ELSE 'pending' END,
                   CASE WHEN n % 3 = 0 THEN now() - interval '5 seconds' END
            FROM generate_series(1, \(count)::int) AS n
            """)
    }
}
