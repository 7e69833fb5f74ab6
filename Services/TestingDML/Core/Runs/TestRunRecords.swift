import Foundation
import Images
import Postgres

/// The rows of test runs: shipboard-build's record of the image to test (read only), and
/// `<schema>.test_runs` with its `test_results`, written in the caller's transaction.
struct TestRunRecords: Sendable {
    let schema: String
    let buildSchema: String

    /// The release's latest successful build, or nil when it has none.
    func latestBuild(of releaseKey: String, in transaction: PostgresTransaction) async throws -> BuiltImage? {
        let rows = try await transaction.query(
            """
            SELECT id, sha256, manifest FROM \(identifier: buildSchema).image_builds
            WHERE release_key = \(releaseKey) AND outcome = 'built' ORDER BY id DESC LIMIT 1
            """, label: "latest built image")
        guard let row = rows.first else { return nil }
        // A stored manifest that does not decode is a fault to see, not an image to test.
        let (id, sha256, manifest) = try row.decode((Int64, String, PostgresJSON<ImageManifest>).self)
        return BuiltImage(buildId: id, releaseKey: releaseKey, sha256: sha256, manifest: manifest.value)
    }

    /// Records run `run` and its results in one statement; returns the run's id.
    func record(
        run: UUID, image: BuiltImage, taskKey: String, requestedBy actor: String, startedAt: Date, results: [TestResult],
        verdict: TestRunVerdict, in transaction: PostgresTransaction
    ) async throws -> Int64 {
        let rows = try await transaction.query(
            """
            WITH run AS (
                INSERT INTO \(identifier: schema).test_runs
                    (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed, requested_by, started_at)
                VALUES (\(run), \(image.releaseKey), \(taskKey), \(image.buildId), \(image.sha256), \(verdict.outcome.rawValue),
                        \(verdict.passed), \(verdict.failed), \(actor), \(startedAt))
                RETURNING id)
            INSERT INTO \(identifier: schema).test_results
                (run_id, position, name, outcome, exit_status, duration_ms, detail, output, output_dropped_bytes)
            SELECT run.id, r.position - 1, r.name, r.outcome, nullif(r.exit_status, '')::integer, r.duration_ms, r.detail,
                   r.output, r.dropped
            FROM run, unnest(\(bind: PostgresArrayBind.texts(results.map(\.name))),
                             \(bind: PostgresArrayBind.texts(results.map(\.outcome.rawValue))),
                             \(bind: PostgresArrayBind.texts(results.map { $0.exitStatus.map(String.init) ?? "" })),
                             \(bind: PostgresArrayBind.int64s(results.map { Int64(($0.duration / .milliseconds(1)).rounded()) })),
                             \(bind: PostgresArrayBind.texts(results.map(\.detail))),
                             \(bind: PostgresArrayBind.texts(results.map(\.output))),
                             \(bind: PostgresArrayBind.int64s(results.map { Int64($0.droppedBytes) })))
                 WITH ORDINALITY AS r(name, outcome, exit_status, duration_ms, detail, output, dropped, position)
            RETURNING run_id
            """, label: "record test run")
        guard let first = rows.first else { throw TestRunRecordError.nothingRecorded }
        return try first.decode(at: 0, as: Int64.self)
    }
}

/// A run with no results cannot be recorded (every plan has at least its fixed steps).
enum TestRunRecordError: Error, CustomStringConvertible {
    case nothingRecorded

    var description: String { "the test run had no results to record" }
}
