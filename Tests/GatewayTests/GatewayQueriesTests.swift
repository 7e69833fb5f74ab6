import Contracts
import Foundation
import GatewayCore
import Postgres
import ShipboardTestSupport
import Testing

/// The gateway's reads of shipboard-testing's tables, on the real database as the service
/// role, with rows written as the owner (as the testing service would have).
@Suite("Gateway queries over test runs and the DML")
struct GatewayQueriesTests {
    @Test("one run's output is cut at the answer's limit and the rest counted; the DML entry shows its pins; filters match")
    func runsAndEntries() async throws {
        let owner = PostgresPool(configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")), maxConnections: 1)
        try await MigrationGate.shared.ensureMigrated(try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")))
        let service = PostgresPool(
            configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")), maxConnections: 1)
        defer { Task { await owner.close(); await service.close() } }
        let release = "REL-Q\(Int.random(in: 100_000...999_999))", name = "queries-\(UUID().uuidString.prefix(8))"
        let sha256 = String(repeating: "ab", count: 32)
        let longOutput = String(repeating: "é", count: TestRunQueries.outputLimit + 100)
        let runId = try await owner.query(
            """
            INSERT INTO testing.test_runs (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed,
                                           requested_by, started_at)
            VALUES (\(UUID()), \(release), 'manual-1', 1, \(sha256), 'failed', 1, 1, 'tess', now()) RETURNING id
            """).first.map { try $0.decode(at: 0, as: Int64.self) }
        let id = try #require(runId)
        try await owner.query(
            """
            INSERT INTO testing.test_results (run_id, position, name, outcome, exit_status, duration_ms, detail, output, output_dropped_bytes)
            VALUES (\(id), 0, 'verify.sh', 'failed', 1, 12, 'exit 1', \(longOutput), 7),
                   (\(id), 1, 'backout.sh', 'skipped', NULL, 0, '', '', 0)
            """)
        try await owner.query(
            """
            INSERT INTO testing.dml_entries (name, version, sha256, size, release_key, build_id, test_run_id, accepted_by, override_reason)
            VALUES (\(name), '1.0', \(sha256), 10, \(release), 1, \(id), 'tess', 'known flaky verify')
            """)
        try await owner.query(
            "INSERT INTO testing.dml_pins (entry_id, holder) SELECT id, 'rollout:42' FROM testing.dml_entries WHERE name = \(name)")

        let runs = TestRunQueries(pool: service)
        let one = try await runs.run(id)
        #expect(one.outcome == "failed" && one.results.map(\.outcome) == ["failed", "skipped"])
        #expect(one.results[0].output?.count == TestRunQueries.outputLimit)
        // 100 characters of two bytes each were left out, on top of the 7 the service dropped.
        #expect(one.results[0].outputDroppedBytes == 207)
        let listed = try await runs.runs(of: release)
        #expect(listed.map(\.id) == [id] && listed[0].results.allSatisfy { $0.output == nil })
        await #expect(throws: CommandError.self) { try await runs.run(-1) }

        let dml = DMLQueries(pool: service)
        let entry = try await dml.entry(name: name, version: "1.0")
        #expect(entry.entry.overrideReason == "known flaky verify" && entry.entry.state == "available")
        #expect(entry.pins.map(\.holder) == ["rollout:42"])
        #expect(try await dml.entries(DMLFilter(name: name, state: "available")).map(\.version) == ["1.0"])
        #expect(try await dml.entries(DMLFilter(name: name, state: "retired")).isEmpty)
        await #expect(throws: CommandError.self) { try await dml.entry(name: name, version: "2.0") }
    }
}
