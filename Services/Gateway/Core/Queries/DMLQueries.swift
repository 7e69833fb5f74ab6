import Contracts
import Foundation
import Postgres

/// Read-only queries over the DML (`testing.dml_entries`, `dml_pins`) and the provenance
/// records behind an entry (`testing.test_runs`, `build.image_builds`), for the gateway.
public struct DMLQueries: Sendable {
    public let schema: String
    public let buildSchema: String
    public let pool: PostgresPool

    public init(schema: String = "testing", buildSchema: String = "build", pool: PostgresPool) {
        self.schema = schema
        self.buildSchema = buildSchema
        self.pool = pool
    }

    /// Entries matching `filter`, by name, then newest first.
    public func entries(_ filter: DMLFilter) async throws -> [DMLEntry] {
        try await select(filter, version: nil).map(\.entry)
    }

    /// One entry with its provenance, retirement and pins; `notFound` when no entry is
    /// `name@version`.
    public func entry(name: String, version: String) async throws -> DMLEntryView {
        try DMLFilter.checkCoordinates(name: name, version: version)
        guard let entry = try await select(DMLFilter(name: name, limit: 1), version: version).first else {
            throw CommandError(.notFound, "the DML has no entry \(name)@\(version)", rule: "dml.entry_exists")
        }
        return entry
    }

    /// The entries `filter` (and `version`, when given) match, each with its provenance,
    /// retirement and pins: one statement and one shape for both reads.
    private func select(_ filter: DMLFilter, version: String?) async throws -> [DMLEntryView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'entry', json_build_object(
                  'name', e.name, 'version', e.version, 'sha256', e.sha256, 'size', e.size, 'releaseKey', e.release_key,
                  'buildId', e.build_id, 'testRunId', e.test_run_id, 'acceptedBy', e.accepted_by,
                  'acceptedAt', to_char(e.accepted_at AT TIME ZONE 'UTC', \(format)), 'overrideReason', e.override_reason,
                  'state', e.state),
              'provenance', (SELECT json_build_object(
                                 'buildTaskKey', b.task_key, 'builtBy', b.requested_by,
                                 'builtAt', to_char(b.finished_at AT TIME ZONE 'UTC', \(format)),
                                 'testOutcome', t.outcome, 'testedBy', t.requested_by,
                                 'testedAt', to_char(t.finished_at AT TIME ZONE 'UTC', \(format)))
                             FROM \(identifier: schema).test_runs t JOIN \(identifier: buildSchema).image_builds b ON b.id = e.build_id
                             WHERE t.id = e.test_run_id),
              'retiredAt', to_char(e.retired_at AT TIME ZONE 'UTC', \(format)), 'retiredBy', e.retired_by,
              'retiredReason', e.retired_reason,
              'pins', (SELECT coalesce(json_agg(json_build_object(
                           'holder', p.holder, 'pinnedAt', to_char(p.pinned_at AT TIME ZONE 'UTC', \(format)))
                           ORDER BY p.pinned_at, p.holder), '[]')
                       FROM \(identifier: schema).dml_pins p WHERE p.entry_id = e.id))
              ORDER BY e.name COLLATE "C", e.id DESC), '[]')::text
            FROM (SELECT * FROM \(identifier: schema).dml_entries
                  WHERE (\(filter.name)::text IS NULL OR name = \(filter.name)::text)
                    AND (\(version)::text IS NULL OR version = \(version)::text)
                    AND (\(filter.state)::text IS NULL OR state = \(filter.state)::text)
                  ORDER BY name COLLATE "C", id DESC LIMIT \(filter.limit)) e
            """)
        return try StoredJSON.decode([DMLEntryView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }
}
