import Contracts
import Foundation
import Images
import Messaging
import Postgres
import TestingCore

/// What acceptance and DML tests add to ``TestRunHarness``: records shipboard-build and a
/// test run would have left (an image of any bytes under any `name@version`), commands with
/// their refusals, and what the DML holds.
extension TestRunHarness {
    var dmlStore: String { folder + "/dml" }

    /// Sends `command` as `actor` and waits for the reply (a refusal is thrown as `CommandError`).
    func decide<C: CommandContract>(_ command: C, as actor: String) async throws(CommandError) -> C.Result {
        try await requests.send(Envelope(command, correlationId: "acceptance-test", actor: actor), timeout: .seconds(15))
    }

    /// The refusal `command` gets, or nil when it was accepted.
    func refusal<C: CommandContract>(_ command: C, as actor: String) async -> CommandError? {
        do {
            _ = try await decide(command, as: actor)
            return nil
        } catch {
            return error
        }
    }

    /// What shipboard-build leaves for a built image: `bytes` (random when nil) in the build
    /// store, the spec saved by `specSavedBy`, and the build, requested by `requestedBy`.
    func recordedBuild(
        _ release: String, name: String = "payroll", version: String, bytes: Data? = nil,
        requestedBy: String = "shipboard-planning", specSavedBy: String = "bea"
    ) async throws -> (buildId: Int64, sha256: String) {
        let content = bytes ?? Data((0..<4096).map { _ in UInt8.random(in: 0...255) })
        let source = folder + "/source-\(UUID().uuidString)"
        try content.write(to: URL(fileURLWithPath: source))
        let digest = try DirectoryImageStore(root: store).add(fileAt: source, expected: nil)
        let manifest = ImageManifest(format: 1, name: name, version: version, releaseKey: release, targetClasses: [], files: [])
        try await pool.query(
            """
            INSERT INTO \(identifier: buildSchema).image_specs (release_key, name, version, saved_by)
            VALUES (\(release), \(name), \(version), \(specSavedBy))
            ON CONFLICT (release_key) DO UPDATE SET name = excluded.name, version = excluded.version, saved_by = excluded.saved_by
            """)
        let id = try await pool.query(
            """
            INSERT INTO \(identifier: buildSchema).image_builds (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(release), 'build', 1, 'built', \(digest.hex), \(Int64(content.count)), \(json: manifest)::jsonb, \(requestedBy))
            RETURNING id
            """).single().decode(at: 0, as: Int64.self)
        return (id, digest.hex)
    }

    /// A finished test run of the build with `failed` failed tests.
    func recordedRun(_ release: String, _ build: (buildId: Int64, sha256: String), failed: Int = 0) async throws -> Int64 {
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).test_runs
                (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed, requested_by, started_at)
            VALUES (\(UUID()), \(release), 'test', \(build.buildId), \(build.sha256), \(failed == 0 ? "passed" : "failed"), 5, \(failed),
                    'shipboard-planning', now())
            RETURNING id
            """).single().decode(at: 0, as: Int64.self)
    }

    /// A built and tested image of `release`, ready for a decision: its run id and digest.
    func testedImage(_ release: String, name: String = "payroll", version: String, failed: Int = 0, bytes: Data? = nil) async throws -> (runId: Int64, sha256: String) {
        let built = try await recordedBuild(release, name: name, version: version, bytes: bytes)
        return (try await recordedRun(release, built, failed: failed), built.sha256)
    }

    /// Event types in the outbox, in order.
    func events() async throws -> [String] {
        try await pool.query("SELECT message_type FROM \(identifier: schema).outbox ORDER BY seq").map { try $0.decode(at: 0, as: String.self) }
    }

    /// The digests in the DML store.
    func dmlFiles() throws -> [String] {
        try DirectoryImageStore(root: dmlStore).digests().map(\.hex)
    }

    /// `name@version`'s state, and who retired it and why when it is retired.
    func entryState(_ name: String, _ version: String) async throws -> String {
        try await pool.query(
            """
            SELECT state || coalesce(':' || retired_by || ':' || retired_reason, '')
            FROM \(identifier: schema).dml_entries WHERE name = \(name) AND version = \(version)
            """).single().decode(at: 0, as: String.self)
    }
}
