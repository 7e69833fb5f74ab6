import Foundation
import Postgres

extension CIRepository {
    /// What an import stored.
    public struct ImportSummary: Sendable, Hashable {
        /// CIs inserted or updated.
        public let items: Int
        /// Relationships added (ones already stored are not counted).
        public let relationshipsAdded: Int
    }

    /// Imports CSV (format: ``CIImportDocument/csvColumns``). All or nothing: on any
    /// problem throws ``CIImportError`` listing every problem by line and stores nothing.
    @discardableResult
    public func importCSV(_ text: String) async throws -> ImportSummary {
        try await importDocument(CIImportDocument.parseCSV(text))
    }

    /// Imports JSON (format: ``CIImportDocument/parseJSON(_:)``), all or nothing like CSV.
    @discardableResult
    public func importJSON(_ data: Data) async throws -> ImportSummary {
        try await importDocument(CIImportDocument.parseJSON(data))
    }

    /// Checks references against the database, then upserts the items and adds the
    /// relationships in one transaction. References must name a CI in the document or
    /// one already stored; otherwise the import is refused.
    public func importDocument(_ document: CIImportDocument) async throws -> ImportSummary {
        let result = try await pool.withTransaction { tx -> Result<ImportSummary, CIImportError> in
            var issues = document.issues
            let outside = Set(document.references.map(\.relationship.target)).subtracting(document.keyLines.keys)
            if !outside.isEmpty {
                let rows = try await tx.query(
                    "SELECT key FROM \(identifier: schema).configuration_items WHERE key = ANY(\(Self.textArray(outside.sorted()))::text[])",
                    label: "find referenced CIs")
                let stored = Set(try rows.map { try $0.decode(at: 0, as: String.self) })
                for reference in document.references where outside.contains(reference.relationship.target)
                    && !stored.contains(reference.relationship.target) {
                    issues.append(.init(
                        line: reference.line, field: reference.relationship.kind.rawValue,
                        message: "unknown CI key \(reference.relationship.target)"))
                }
            }
            guard issues.isEmpty else {
                // Stable by line, so problems read top to bottom.
                let ordered = issues.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
                return .failure(CIImportError(issues: ordered.map(\.element)))
            }
            let items = try await tx.query(
                """
                INSERT INTO \(identifier: schema).configuration_items (key, name, class, site, attributes)
                SELECT x.key, x.name, x.class, x.site, coalesce(x.attributes, '{}'::jsonb)
                FROM jsonb_to_recordset(\(json: document.items)::jsonb)
                    AS x(key text, name text, class text, site text, attributes jsonb)
                ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class, site = EXCLUDED.site,
                    attributes = EXCLUDED.attributes, updated_at = now()
                """, label: "upsert CIs")
            let relationships = try await tx.query(
                """
                INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
                SELECT s.id, t.id, x.kind
                FROM jsonb_to_recordset(\(json: document.relationships)::jsonb) AS x(source text, target text, kind text)
                JOIN \(identifier: schema).configuration_items s ON s.key = x.source
                JOIN \(identifier: schema).configuration_items t ON t.key = x.target
                ON CONFLICT DO NOTHING
                """, label: "add relationships")
            return .success(ImportSummary(items: items.affectedRows ?? 0, relationshipsAdded: relationships.affectedRows ?? 0))
        }
        return try result.get()
    }
}
