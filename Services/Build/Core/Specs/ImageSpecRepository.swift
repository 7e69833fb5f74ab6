import Contracts
import Images
import Postgres

/// `<schema>.image_specs` and `image_spec_files`, inside the caller's transaction.
public struct ImageSpecRepository: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// Replaces the release's spec; returns its new revision.
    public func save(_ spec: ImageSpec, by actor: String, in transaction: PostgresTransaction) async throws -> Int {
        let revision = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).image_specs (release_key, name, version, target_classes, saved_by)
            VALUES (\(spec.releaseKey), \(spec.name), \(spec.version), \(bind: PostgresArrayBind.texts(spec.targetClasses)), \(actor))
            ON CONFLICT (release_key) DO UPDATE SET name = excluded.name, version = excluded.version,
                target_classes = excluded.target_classes, saved_by = excluded.saved_by, saved_at = now(),
                revision = image_specs.revision + 1
            RETURNING revision
            """, label: "save image spec").single().decode(Int.self)
        try await transaction.enqueue(
            "DELETE FROM \(identifier: schema).image_spec_files WHERE release_key = \(spec.releaseKey)", label: "clear spec files")
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).image_spec_files (release_key, path, source, executable)
            SELECT \(spec.releaseKey), p, s, e
            FROM unnest(\(bind: PostgresArrayBind.texts(spec.sources.map(\.path.value))),
                        \(bind: PostgresArrayBind.texts(spec.sources.map(\.from.value))),
                        \(bind: PostgresArrayBind.texts(spec.sources.map { $0.executable ? "t" : "f" }))::boolean[]) AS u(p, s, e)
            """, label: "save spec files")
        return revision
    }

    /// The release's spec and its revision, or `nil` when none was saved.
    public func load(_ releaseKey: String, in transaction: PostgresTransaction) async throws -> (ImageSpec, Int)? {
        let rows = try await transaction.query(batch: [
            ("SELECT name, version, to_jsonb(target_classes)::text, revision FROM \(identifier: schema).image_specs WHERE release_key = \(releaseKey)",
             "load image spec"),
            ("SELECT path, source, executable FROM \(identifier: schema).image_spec_files WHERE release_key = \(releaseKey) ORDER BY path",
             "load spec files"),
        ])
        guard let head = rows[0].first else { return nil }
        let name = try head.decode(at: 0, as: String.self), version = try head.decode(at: 1, as: String.self)
        let classes = try head.decode(at: 2, as: PostgresJSON<[String]>.self).value, revision = try head.decode(at: 3, as: Int.self)
        let sources = try rows[1].map { row in
            let (path, source, executable) = try row.decode((String, String, Bool).self)
            return ImageSpec.Source(path: try ImagePath(path), from: try ImagePath(source), executable: executable)
        }
        return (ImageSpec(name: name, version: version, releaseKey: releaseKey,
                          targetClasses: classes, sources: sources), revision)
    }
}
