import Contracts
import Postgres

extension CIStore {
    /// Checks references against the database, then upserts the items and adds the
    /// relationships, in the caller's transaction. References must name a CI in the
    /// document or one already stored. On any problem throws ``CIImportError`` listing
    /// every problem by line before anything is written. `options` asks for a dry run (check
    /// and count, write nothing) or for creation only (a stored CI is a problem of its line).
    public func importDocument(
        _ document: CIImportDocument, options: CIRepository.ImportOptions = .init(), in transaction: PostgresTransaction
    ) async throws -> CIRepository.ImportSummary {
        var issues = document.issues
        let keys = document.items.map(\.key)
        let stored = keys.isEmpty ? [] : Set(keys).subtracting(try await missingKeys(keys, in: transaction))
        if options.createOnly {
            for item in document.items where stored.contains(item.key) {
                issues.append(.init(
                    line: document.keyLines[item.key] ?? 0, field: "key",
                    message: "\(item.key) already exists; this import only creates"))
            }
        }
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
        let created = document.items.count - stored.count
        if options.dryRun {
            let newRelationships = try await transaction.query(
                """
                SELECT count(*)::int8 FROM jsonb_to_recordset(\(json: document.relationships)::jsonb)
                    AS x(source text, target text, kind text)
                WHERE NOT EXISTS (
                    SELECT 1 FROM \(identifier: schema).ci_relationships r
                    JOIN \(identifier: schema).configuration_items s ON s.id = r.source_id
                    JOIN \(identifier: schema).configuration_items t ON t.id = r.target_id
                    WHERE s.key = x.source AND t.key = x.target AND r.kind = x.kind)
                """, label: "count new relationships"
            ).single().decode(at: 0, as: Int.self)
            return CIRepository.ImportSummary(
                items: document.items.count, relationshipsAdded: newRelationships, created: created, dryRun: true)
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
        return CIRepository.ImportSummary(
            items: items.affectedRows ?? 0, relationshipsAdded: relationships.affectedRows ?? 0, created: created, dryRun: false)
    }
}
