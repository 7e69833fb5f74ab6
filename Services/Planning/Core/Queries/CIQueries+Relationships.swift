import Contracts
import Foundation
import Postgres

extension CIQueries {
    /// Every relationship with at least one end among `keys` (a release's CIs), in one
    /// statement, at most `limit` (ordered by source, target, kind): what a picture of their
    /// dependencies needs without one read per CI. Keys that name no CI match nothing.
    public func relationships(touching keys: [String], limit: Int = 2_000) async throws -> [CIRelationship] {
        guard !keys.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            SELECT s.key, t.key, r.kind FROM \(identifier: schema).ci_relationships r
            JOIN \(identifier: schema).configuration_items s ON s.id = r.source_id
            JOIN \(identifier: schema).configuration_items t ON t.id = r.target_id
            WHERE s.key = ANY(\(bind: PostgresArrayBind.texts(keys))) OR t.key = ANY(\(bind: PostgresArrayBind.texts(keys)))
            ORDER BY 1, 2, 3 LIMIT \(limit)
            """)
        return try rows.map { row in
            let (source, target, kind) = try row.decode((String, String, String).self)
            guard let kind = CIRelationshipKind(knownRawValue: kind) else {
                throw CIRepositoryError.invalidItem(field: "kind", reason: "stored value is not a known relationship kind")
            }
            return CIRelationship(source: source, target: target, kind: kind)
        }
    }
}
