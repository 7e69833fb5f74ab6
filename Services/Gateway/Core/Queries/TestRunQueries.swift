import Contracts
import Foundation
import Postgres

/// Read-only queries over shipboard-testing's runs (`testing.test_runs`, `test_results`,
/// `acceptances`) for the gateway. Each answer is one statement; every value is bound.
public struct TestRunQueries: Sendable {
    /// The most runs a release's list shows (newest first).
    public static let runLimit = 20
    /// The most characters of one test's output an answer carries (the service keeps up to
    /// its own limit); what is left out is added to the test's `outputDroppedBytes`.
    public static let outputLimit = 65_536

    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = "testing", pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// The release's latest runs with their tests' outcomes, output left out. The caller has
    /// checked that the release exists.
    public func runs(of releaseKey: String) async throws -> [TestRunView] {
        try await select(releaseKey: releaseKey, id: nil)
    }

    /// One run with each test's captured output; `notFound` when no run has `id`.
    public func run(_ id: Int64) async throws -> TestRunView {
        guard let run = try await select(releaseKey: nil, id: id).first else {
            throw CommandError(.notFound, "test run \(id) does not exist", rule: "testing.run_exists")
        }
        return run
    }

    /// The runs of a release, or the one run `id` (then with each test's output), as JSON
    /// with their results and decisions: one shape for both reads.
    private func select(releaseKey: String?, id: Int64?) async throws -> [TestRunView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'id', t.id, 'releaseKey', t.release_key, 'taskKey', t.task_key, 'buildId', t.build_id,
              'imageSha256', t.image_sha256, 'outcome', t.outcome, 'passed', t.passed, 'failed', t.failed,
              'requestedBy', t.requested_by, 'startedAt', to_char(t.started_at AT TIME ZONE 'UTC', \(format)),
              'finishedAt', to_char(t.finished_at AT TIME ZONE 'UTC', \(format)),
              'acceptance', (SELECT json_build_object('decision', a.decision, 'decidedBy', a.decided_by, 'reason', a.reason,
                                                      'decidedAt', to_char(a.decided_at AT TIME ZONE 'UTC', \(format)))
                             FROM \(identifier: schema).acceptances a WHERE a.run_id = t.id ORDER BY a.id DESC LIMIT 1),
              'results', (SELECT coalesce(json_agg(json_build_object(
                              'position', r.position, 'name', r.name, 'outcome', r.outcome, 'exitStatus', r.exit_status,
                              'durationMs', r.duration_ms, 'detail', r.detail,
                              'output', CASE WHEN \(id)::bigint IS NOT NULL THEN left(r.output, \(Self.outputLimit)::int) END,
                              'outputDroppedBytes', r.output_dropped_bytes
                                  + octet_length(r.output) - octet_length(left(r.output, \(Self.outputLimit)::int)))
                              ORDER BY r.position), '[]')
                          FROM \(identifier: schema).test_results r WHERE r.run_id = t.id))
              ORDER BY t.id DESC), '[]')::text
            FROM (SELECT * FROM \(identifier: schema).test_runs
                  WHERE release_key = \(releaseKey)::text OR id = \(id)::bigint
                  ORDER BY id DESC LIMIT \(Self.runLimit)) t
            """)
        return try StoredJSON.decode([TestRunView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }
}
