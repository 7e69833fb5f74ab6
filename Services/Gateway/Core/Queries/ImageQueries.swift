import Contracts
import Foundation
import Postgres

/// Read-only queries over shipboard-build's tables (`build.image_specs`, `image_spec_files`,
/// `image_builds`) for the gateway: nothing here writes or locks; every value is bound.
public struct ImageQueries: Sendable {
    /// The most builds one answer lists (newest first): a release rebuilt all day stays one page.
    public static let buildLimit = 50

    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = "build", pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// The release's spec and builds, in one statement. The caller has checked that the
    /// release exists (a release without a spec answers with none, not 404).
    public func image(of releaseKey: String) async throws -> ReleaseImageView {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT
              (SELECT json_build_object(
                   'name', s.name, 'version', s.version, 'targetClasses', to_json(s.target_classes), 'revision', s.revision,
                   'savedBy', s.saved_by, 'savedAt', to_char(s.saved_at AT TIME ZONE 'UTC', \(format)),
                   'files', (SELECT coalesce(json_agg(json_build_object('path', f.path, 'from', f.source, 'executable', f.executable)
                                                      ORDER BY f.path COLLATE "C"), '[]')
                             FROM \(identifier: schema).image_spec_files f WHERE f.release_key = s.release_key))::text
               FROM \(identifier: schema).image_specs s WHERE s.release_key = \(releaseKey)) AS spec,
              (SELECT coalesce(json_agg(json_build_object(
                   'id', b.id, 'taskKey', b.task_key, 'specRevision', b.spec_revision, 'outcome', b.outcome, 'sha256', b.sha256,
                   'size', b.size, 'fileCount', jsonb_array_length(b.manifest -> 'files'), 'reason', b.reason,
                   'requestedBy', b.requested_by, 'finishedAt', to_char(b.finished_at AT TIME ZONE 'UTC', \(format)))
                   ORDER BY b.id DESC), '[]')::text
               FROM (SELECT * FROM \(identifier: schema).image_builds WHERE release_key = \(releaseKey)
                     ORDER BY id DESC LIMIT \(Self.buildLimit)) b) AS builds
            """)
        let row = try rows.first.orThrow()
        let spec = try row.decode("spec", as: String?.self).map { try StoredJSON.decode(ReleaseImageView.Spec.self, from: $0) }
        let builds = try StoredJSON.decode([ReleaseImageView.Build].self, from: row.decode("builds", as: String.self))
        return ReleaseImageView(releaseKey: releaseKey, spec: spec, builds: builds)
    }
}

extension Optional {
    /// The value of a statement that always answers one row.
    func orThrow() throws -> Wrapped {
        guard let self else { throw CommandError(.internal, "a query answered no row") }
        return self
    }
}
