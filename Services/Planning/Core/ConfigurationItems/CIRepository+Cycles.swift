import Contracts
import Postgres

extension CIRepository {
    /// Dependency cycles (`depends_on` and `runs_on`), one per group of CIs that depend on
    /// each other, as keys in edge order starting at the smallest key: `[A, B]` means
    /// A depends on B and B on A. Empty when the graph is acyclic.
    ///
    /// Reads the dependency edges once and analyses them in memory (linear time), so a
    /// cycle is reported rather than walked around.
    public func findCycles() async throws -> [[String]] {
        let kinds = Self.textArray(CIRelationshipKind.dependencyKinds.map(\.rawValue))
        let rows = try await pool.query(
            """
            SELECT DISTINCT s.key, t.key FROM \(identifier: schema).ci_relationships r
            JOIN \(identifier: schema).configuration_items s ON s.id = r.source_id
            JOIN \(identifier: schema).configuration_items t ON t.id = r.target_id
            WHERE r.kind = ANY(\(kinds)::text[])
            ORDER BY 1, 2
            """)
        var edges: [String: [String]] = [:]
        for row in rows {
            let (source, target) = try row.decode((String, String).self)
            edges[source, default: []].append(target)
        }
        return CycleFinder(edges: edges).cycles()
    }
}
