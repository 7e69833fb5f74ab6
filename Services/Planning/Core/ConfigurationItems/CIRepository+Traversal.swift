import Contracts
import Postgres

extension CIRepository {
    /// Which way a traversal follows relationships.
    enum Direction {
        /// From target to source: who relies on the start.
        case dependents
        /// From source to target: what the start relies on.
        case dependencies
    }

    /// CIs with a relationship of one of `kinds` to `key` ("X depends_on key"), sorted by key.
    public func dependents(of key: String, kinds: [CIRelationshipKind] = CIRelationshipKind.dependencyKinds) async throws -> [ConfigurationItem] {
        try await direct(.dependents, of: key, kinds: kinds)
    }

    /// CIs `key` has a relationship of one of `kinds` to ("key depends_on X"), sorted by key.
    public func dependencies(of key: String, kinds: [CIRelationshipKind] = CIRelationshipKind.dependencyKinds) async throws -> [ConfigurationItem] {
        try await direct(.dependencies, of: key, kinds: kinds)
    }

    /// Everything that directly or indirectly depends on (or runs on) any of `keys`,
    /// excluding `keys` themselves, sorted by key. Terminates on cycles.
    public func transitiveDependents(of keys: [String]) async throws -> [ConfigurationItem] {
        try await transitive(.dependents, of: keys)
    }

    /// Everything any of `keys` directly or indirectly depends on (or runs on), excluding
    /// `keys` themselves, sorted by key. Terminates on cycles.
    public func transitiveDependencies(of keys: [String]) async throws -> [ConfigurationItem] {
        try await transitive(.dependencies, of: keys)
    }

    private func direct(_ direction: Direction, of key: String, kinds: [CIRelationshipKind]) async throws -> [ConfigurationItem] {
        let kindArray = Self.textArray(kinds.map(\.rawValue))
        let query: PostgresQuery = switch direction {
        case .dependents:
            """
            SELECT DISTINCT c.key, c.name, c.class, c.site, c.attributes
            FROM \(identifier: schema).configuration_items start
            JOIN \(identifier: schema).ci_relationships r ON r.target_id = start.id AND r.kind = ANY(\(kindArray)::text[])
            JOIN \(identifier: schema).configuration_items c ON c.id = r.source_id
            WHERE start.key = \(key) ORDER BY c.key
            """
        case .dependencies:
            """
            SELECT DISTINCT c.key, c.name, c.class, c.site, c.attributes
            FROM \(identifier: schema).configuration_items start
            JOIN \(identifier: schema).ci_relationships r ON r.source_id = start.id AND r.kind = ANY(\(kindArray)::text[])
            JOIN \(identifier: schema).configuration_items c ON c.id = r.target_id
            WHERE start.key = \(key) ORDER BY c.key
            """
        }
        return try await pool.query(query).map(Self.decodeItem)
    }

    /// A recursive CTE over ids. `UNION` (not `UNION ALL`) drops every id already reached,
    /// so each CI enters the working table at most once: cycles cannot loop and the cost
    /// is linear in the CIs and edges reached, unlike a path array, which enumerates paths.
    private func transitive(_ direction: Direction, of keys: [String]) async throws -> [ConfigurationItem] {
        let keyArray = Self.textArray(keys)
        let kinds = Self.textArray(CIRelationshipKind.dependencyKinds.map(\.rawValue))
        // Dependents walk edges from target to source; dependencies from source to target.
        let (from, to) = direction == .dependents ? ("target_id", "source_id") : ("source_id", "target_id")
        let query: PostgresQuery = """
            WITH RECURSIVE reached(id) AS (
                SELECT r.\(identifier: to) FROM \(identifier: schema).configuration_items start
                JOIN \(identifier: schema).ci_relationships r ON r.\(identifier: from) = start.id AND r.kind = ANY(\(kinds)::text[])
                WHERE start.key = ANY(\(keyArray)::text[])
                UNION
                SELECT r.\(identifier: to) FROM reached
                JOIN \(identifier: schema).ci_relationships r ON r.\(identifier: from) = reached.id AND r.kind = ANY(\(kinds)::text[])
            )
            SELECT c.key, c.name, c.class, c.site, c.attributes FROM reached
            JOIN \(identifier: schema).configuration_items c ON c.id = reached.id
            WHERE c.key <> ALL(\(keyArray)::text[]) ORDER BY c.key
            """
        return try await pool.query(query).map(Self.decodeItem)
    }
}
