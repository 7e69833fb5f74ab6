import Contracts
import Postgres

extension CIStore {
    /// Checks references against the database, then upserts the items and adds the
    /// relationships, in the caller's transaction. References must name a CI in the
    /// document or one already stored. On any problem throws ``CIImportError`` listing
    /// every problem by line before anything is written.
    public func importDocument(_ document: CIImportDocument, in transaction: PostgresTransaction) async throws -> CIRepository.ImportSummary {
        var issues = document.issues
        let outside = Set(document.references.map(\.relationship.target)).subtracting(document.keyLines.keys)
        if !outside.isEmpty {
            let stored = Set(outside).subtracting(try await missingKeys(outside.sorted(), in: transaction))
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
            throw CIImportError(issues: ordered.map(\.element))
        }
        let items = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).configuration_items (key, name, class, site, attributes)
            SELECT x.key, x.name, x.class, x.site, coalesce(x.attributes, '{}'::jsonb)
            FROM jsonb_to_recordset(\(json: document.items)::jsonb)
                AS x(key text, name text, class text, site text, attributes jsonb)
            ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class, site = EXCLUDED.site,
                attributes = EXCLUDED.attributes, updated_at = now()
            """, label: "upsert CIs")
        let relationships = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
            SELECT s.id, t.id, x.kind
            FROM jsonb_to_recordset(\(json: document.relationships)::jsonb) AS x(source text, target text, kind text)
            JOIN \(identifier: schema).configuration_items s ON s.key = x.source
            JOIN \(identifier: schema).configuration_items t ON t.key = x.target
            ON CONFLICT DO NOTHING
            """, label: "add relationships")
        return CIRepository.ImportSummary(items: items.affectedRows ?? 0, relationshipsAdded: relationships.affectedRows ?? 0)
    }
}
