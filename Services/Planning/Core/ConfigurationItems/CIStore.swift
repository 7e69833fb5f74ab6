import Contracts
import Postgres

/// Writes configuration items and relationships inside the caller's transaction, so a
/// command handler commits the CMDB change, its audit entry and its events together.
///
/// ``CIRepository``'s writes run these same statements in a transaction of their own:
/// the SQL lives only here.
public struct CIStore: Sendable {
    /// The schema holding the tables (``PlanningSchema/name`` in production).
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Inserts the CI, or updates name, class, site and attributes of the one with its key.
    /// Returns true when the CI was created, false when an existing one was updated.
    @discardableResult
    public func upsert(_ item: ConfigurationItem, in transaction: PostgresTransaction) async throws -> Bool {
        guard ConfigurationItem.isValidKey(item.key) else { throw CIRepositoryError.invalidKey(item.key) }
        guard (1...200).contains(item.name.count) else {
            throw CIRepositoryError.invalidItem(field: "name", reason: "must be 1 to 200 characters")
        }
        // `xmax = 0` holds only for a row this statement inserted (an updated row carries
        // this transaction's id), which tells creation from update in one round trip.
        let rows = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).configuration_items (key, name, class, site, attributes)
            VALUES (\(item.key), \(item.name), \(item.ciClass.rawValue), \(item.site), \(json: item.attributes)::jsonb)
            ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class, site = EXCLUDED.site,
                attributes = EXCLUDED.attributes, updated_at = now()
            RETURNING (xmax = 0)
            """, label: "upsert CI")
        return try rows.single().decode(at: 0, as: Bool.self)
    }

    /// Adds `relationship`; returns false when it already existed. Throws
    /// ``CIRepositoryError/unknownKeys(_:)`` naming the keys no stored CI has.
    @discardableResult
    public func addRelationship(_ relationship: CIRelationship, in transaction: PostgresTransaction) async throws -> Bool {
        guard relationship.source != relationship.target else {
            throw CIRepositoryError.selfRelationship(relationship.source)
        }
        let rows = try await transaction.query(
            """
            INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
            SELECT s.id, t.id, \(relationship.kind.rawValue)
            FROM \(identifier: schema).configuration_items s, \(identifier: schema).configuration_items t
            WHERE s.key = \(relationship.source) AND t.key = \(relationship.target)
            ON CONFLICT DO NOTHING
            RETURNING 1
            """, label: "add relationship")
        if !rows.isEmpty { return true }
        let missing = try await missingKeys([relationship.source, relationship.target], in: transaction)
        if !missing.isEmpty { throw CIRepositoryError.unknownKeys(missing) }
        return false
    }

    /// Removes `relationship`; returns false when it did not exist.
    @discardableResult
    public func removeRelationship(_ relationship: CIRelationship, in transaction: PostgresTransaction) async throws -> Bool {
        let rows = try await transaction.query(
            """
            DELETE FROM \(identifier: schema).ci_relationships r
            USING \(identifier: schema).configuration_items s, \(identifier: schema).configuration_items t
            WHERE r.source_id = s.id AND r.target_id = t.id AND r.kind = \(relationship.kind.rawValue)
              AND s.key = \(relationship.source) AND t.key = \(relationship.target)
            RETURNING 1
            """, label: "remove relationship")
        return !rows.isEmpty
    }

    /// True when `key` depends (`depends_on`/`runs_on`) directly or transitively on `other`:
    /// then a dependency from `other` to `key` closes a cycle. Stops at the first hit.
    public func dependsTransitively(_ key: String, on other: String, in transaction: PostgresTransaction) async throws -> Bool {
        let kinds = CIRepository.textArray(CIRelationshipKind.dependencyKinds.map(\.rawValue))
        let rows = try await transaction.query(
            """
            WITH RECURSIVE reached(id) AS (
                SELECT id FROM \(identifier: schema).configuration_items WHERE key = \(key)
                UNION
                SELECT r.target_id FROM reached
                JOIN \(identifier: schema).ci_relationships r ON r.source_id = reached.id AND r.kind = ANY(\(kinds)::text[])
            )
            SELECT EXISTS (SELECT 1 FROM reached JOIN \(identifier: schema).configuration_items c
                           ON c.id = reached.id WHERE c.key = \(other))
            """, label: "dependency path")
        return try rows.single().decode(at: 0, as: Bool.self)
    }

    /// The keys among `keys` that no stored CI has, sorted.
    public func missingKeys(_ keys: [String], in transaction: PostgresTransaction) async throws -> [String] {
        let rows = try await transaction.query(
            "SELECT key FROM \(identifier: schema).configuration_items WHERE key = ANY(\(CIRepository.textArray(keys))::text[])",
            label: "find CIs")
        let found = Set(try rows.map { try $0.decode(at: 0, as: String.self) })
        return Set(keys).subtracting(found).sorted()
    }
}
