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
        guard ConfigurationItem.isValidKey(item.key) else { throw CIRepositoryError.invalidKey(item.key) }
        guard (1...200).contains(item.name.count) else {
            throw CIRepositoryError.invalidItem(field: "name", reason: "must be 1 to 200 characters")
        }
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).configuration_items (key, name, class, site, attributes)
            VALUES (\(item.key), \(item.name), \(item.ciClass.rawValue), \(item.site), \(json: item.attributes)::jsonb)
            ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class, site = EXCLUDED.site,
                attributes = EXCLUDED.attributes, updated_at = now()
            """)
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
        guard relationship.source != relationship.target else {
            throw CIRepositoryError.selfRelationship(relationship.source)
        }
        let rows = try await pool.query(
            """
            INSERT INTO \(identifier: schema).ci_relationships (source_id, target_id, kind)
            SELECT s.id, t.id, \(relationship.kind.rawValue)
            FROM \(identifier: schema).configuration_items s, \(identifier: schema).configuration_items t
            WHERE s.key = \(relationship.source) AND t.key = \(relationship.target)
            ON CONFLICT DO NOTHING
            RETURNING 1
            """)
        if !rows.isEmpty { return true }
        let missing = try await missingKeys([relationship.source, relationship.target])
        if !missing.isEmpty { throw CIRepositoryError.unknownKeys(missing) }
        return false
    }

    /// Removes `relationship`; returns false when it did not exist.
    @discardableResult
    public func removeRelationship(_ relationship: CIRelationship) async throws -> Bool {
        let rows = try await pool.query(
            """
            DELETE FROM \(identifier: schema).ci_relationships r
            USING \(identifier: schema).configuration_items s, \(identifier: schema).configuration_items t
            WHERE r.source_id = s.id AND r.target_id = t.id AND r.kind = \(relationship.kind.rawValue)
              AND s.key = \(relationship.source) AND t.key = \(relationship.target)
            RETURNING 1
            """)
        return !rows.isEmpty
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
            return CIRelationship(source: source, target: target, kind: CIRelationshipKind(rawValue: kind) ?? .dependsOn)
        }
    }

    /// The keys among `keys` that no stored CI has, sorted.
    func missingKeys(_ keys: [String]) async throws -> [String] {
        let rows = try await pool.query(
            "SELECT key FROM \(identifier: schema).configuration_items WHERE key = ANY(\(Self.textArray(keys))::text[])")
        let found = Set(try rows.map { try $0.decode(at: 0, as: String.self) })
        return Set(keys).subtracting(found).sorted()
    }
}
