import Contracts
import Postgres

/// Stores configuration items and their relationships in `<schema>.configuration_items`
/// and `<schema>.ci_relationships` (migration 0003; tests pass a schema of their own).
///
/// Every value is a bound parameter; only the schema name is spliced, as a validated
/// identifier. Queries by key take arrays as bound `text[]` literals.
public struct CIRepository: Sendable {
    /// The schema holding the tables (``PlanningSchema/name`` in production).
    public let schema: String
    /// The pool queries run on.
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// Inserts the CI, or updates name, class, site and attributes of the one with its key.
    public func upsert(_ item: ConfigurationItem) async throws {
        _ = try await inTransaction { try await CIStore(schema: schema).upsert(item, in: $0) }
    }

    /// The stored CI with `key`, if any.
    public func item(key: String) async throws -> ConfigurationItem? {
        let rows = try await pool.query(
            "SELECT key, name, class, site, attributes FROM \(identifier: schema).configuration_items WHERE key = \(key)")
        return try rows.first.map(Self.decodeItem)
    }

    /// Adds `relationship`; returns false when it already existed.
    @discardableResult
    public func addRelationship(_ relationship: CIRelationship) async throws -> Bool {
        try await inTransaction { try await CIStore(schema: schema).addRelationship(relationship, in: $0) }
    }

    /// Removes `relationship`; returns false when it did not exist.
    @discardableResult
    public func removeRelationship(_ relationship: CIRelationship) async throws -> Bool {
        try await inTransaction { try await CIStore(schema: schema).removeRelationship(relationship, in: $0) }
    }

    /// Every stored relationship that starts or ends at `key`, sorted.
    public func relationships(of key: String) async throws -> [CIRelationship] {
        let rows = try await pool.query(
            """
            SELECT s.key, t.key, r.kind FROM \(identifier: schema).ci_relationships r
            JOIN \(identifier: schema).configuration_items s ON s.id = r.source_id
            JOIN \(identifier: schema).configuration_items t ON t.id = r.target_id
            WHERE s.key = \(key) OR t.key = \(key)
            ORDER BY 1, 2, 3
            """)
        return try rows.map { row in
            let (source, target, kind) = try row.decode((String, String, String).self)
            guard let kind = CIRelationshipKind(knownRawValue: kind) else {
                throw CIRepositoryError.invalidItem(field: "kind", reason: "stored value is not a known relationship kind")
            }
            return CIRelationship(source: source, target: target, kind: kind)
        }
    }

    /// Runs a ``CIStore`` write in a transaction of its own. An error the write itself
    /// threw (``CIRepositoryError``, ``CIImportError``) is rethrown as it is, not wrapped
    /// in the transaction's error, so callers can match on it.
    func inTransaction<Result>(_ body: (PostgresTransaction) async throws -> Result) async throws -> Result {
        do {
            return try await pool.withTransaction { try await body($0) }
        } catch let error as PostgresTransactionError where error.step == .body {
            throw error.underlying
        }
    }
}
