import Contracts
import Postgres

/// The latest ``CMDBSnapshot`` per pool and schema, shared by the process.
///
/// `snapshot(…)` answers only with a copy read at the current `cmdb_version` (one indexed
/// read to find out). When there is none, it starts reading one in the background and answers
/// nil: the caller walks in PostgreSQL meanwhile, so a CMDB change never makes a read wait for
/// the whole graph to load. One load per pool and schema runs at a time; at most
/// ``capacity`` snapshots are kept (least recently used goes first).
public actor CMDBSnapshotCache {
    public static let shared = CMDBSnapshotCache()

    /// Snapshots kept at most (each holds a whole CMDB).
    let capacity = 4

    private struct Key: Hashable {
        let pool: ObjectIdentifier
        let schema: String
    }

    private struct Entry {
        /// Held so the pool's identifier cannot be reused by another pool while cached.
        let pool: PostgresPool
        let snapshot: CMDBSnapshot
        var lastUsed: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var loading: [Key: Task<Void, Never>] = [:]
    private var clock: UInt64 = 0

    /// The snapshot of the CMDB at its current version, or nil (a load then starts).
    public func snapshot(schema: String, pool: PostgresPool) async throws -> CMDBSnapshot? {
        let version = try await CMDBSnapshotLoader(schema: schema, pool: pool).currentVersion()
        let key = Key(pool: ObjectIdentifier(pool), schema: schema)
        clock += 1
        if var entry = entries[key], entry.snapshot.version == version {
            entry.lastUsed = clock
            entries[key] = entry
            return entry.snapshot
        }
        if loading[key] == nil {
            loading[key] = Task { await self.load(key, schema: schema, pool: pool) }
        }
        return nil
    }

    /// The snapshot at the current version, loading one here when there is none (tests and
    /// benchmarks). Loaded directly rather than by waiting for a background load, which may be
    /// reading an older version; a failed load throws its own error.
    public func loadedSnapshot(schema: String, pool: PostgresPool) async throws -> CMDBSnapshot {
        if let snapshot = try await snapshot(schema: schema, pool: pool) { return snapshot }
        let snapshot = try await CMDBSnapshotLoader(schema: schema, pool: pool).load()
        keep(snapshot, for: Key(pool: ObjectIdentifier(pool), schema: schema), pool: pool)
        return snapshot
    }

    /// Keeps `snapshot` unless a newer one is kept already (loads may finish out of order).
    private func keep(_ snapshot: CMDBSnapshot, for key: Key, pool: PostgresPool) {
        if let kept = entries[key], kept.snapshot.version >= snapshot.version { return }
        clock += 1
        entries[key] = Entry(pool: pool, snapshot: snapshot, lastUsed: clock)
        while entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            entries[oldest] = nil
        }
    }

    private func load(_ key: Key, schema: String, pool: PostgresPool) async {
        defer { loading[key] = nil }
        // A failed load (database away, schema dropped) leaves the cache as it was: the next
        // read walks in PostgreSQL and tries again.
        guard let snapshot = try? await CMDBSnapshotLoader(schema: schema, pool: pool).load() else { return }
        keep(snapshot, for: key, pool: pool)
    }
}

/// Reads a ``CMDBSnapshot``: items and relationships in one repeatable-read transaction, so
/// both are the CMDB at one `cmdb_version`. Relationships come as three comma-separated lists
/// of CI numbers and roles (a few megabytes of text instead of 270,000 rows of uuids).
public struct CMDBSnapshotLoader: Sendable {
    let schema: String
    let pool: PostgresPool

    /// Loads a snapshot and throws it away (benchmarks time the load).
    public static func time(schema: String, pool: PostgresPool) async throws -> Int {
        try await CMDBSnapshotLoader(schema: schema, pool: pool).load().items.count
    }

    func currentVersion() async throws -> Int64 {
        try await pool.query("SELECT version FROM \(identifier: schema).cmdb_version").single().decode(at: 0, as: Int64.self)
    }

    func load() async throws -> CMDBSnapshot {
        try await pool.withTransaction { transaction in
            try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let version = try await transaction.query("SELECT version FROM \(identifier: schema).cmdb_version")
                .single().decode(at: 0, as: Int64.self)
            let items = try await transaction.query(
                "SELECT key, name, class, site, attributes FROM \(identifier: schema).configuration_items ORDER BY key"
            ).map(CIRepository.decodeItem)
            let dependencyKinds = CIRepository.textArray(CIRelationshipKind.dependencyKinds.map(\.rawValue))
            let lists = try await transaction.query(
                """
                WITH numbered AS (
                    SELECT id, (row_number() OVER (ORDER BY key) - 1)::int AS n FROM \(identifier: schema).configuration_items
                ), edges AS (
                    SELECT s.n AS source, t.n AS target,
                           CASE WHEN r.kind = ANY(\(dependencyKinds)::text[]) THEN 0
                                WHEN r.kind = \(CIRelationshipKind.partOf.rawValue) THEN 1
                                WHEN r.kind = \(CIRelationshipKind.locatedAt.rawValue) THEN 2 END AS role
                    FROM \(identifier: schema).ci_relationships r
                    JOIN numbered s ON s.id = r.source_id JOIN numbered t ON t.id = r.target_id
                )
                SELECT coalesce(string_agg(source::text, ','), ''), coalesce(string_agg(target::text, ','), ''),
                       coalesce(string_agg(role::text, ','), '')
                FROM edges WHERE role IS NOT NULL
                """
            ).single().decode((String, String, String).self)
            let sources = Self.numbers(lists.0), targets = Self.numbers(lists.1), roles = Self.numbers(lists.2)
            guard sources.count == targets.count, targets.count == roles.count,
                  sources.allSatisfy({ $0 < items.count }), targets.allSatisfy({ $0 < items.count })
            else { throw CIRepositoryError.invalidItem(field: "relationships", reason: "the CMDB graph read back inconsistent") }
            var edges: [CMDBSnapshot.Edge] = []
            edges.reserveCapacity(sources.count)
            for index in 0..<sources.count {
                guard let role = CMDBSnapshot.EdgeRole(rawValue: Int(roles[index])) else {
                    throw CIRepositoryError.invalidItem(field: "relationships", reason: "the CMDB graph read back inconsistent")
                }
                edges.append(CMDBSnapshot.Edge(source: sources[index], target: targets[index], role: role))
            }
            return CMDBSnapshot(version: version, items: items, edges: edges)
        }
    }

    /// Parses `1,22,333` (digits and commas only, as the query builds it).
    static func numbers(_ text: String) -> [Int32] {
        var result: [Int32] = []
        var current: Int32 = 0
        var inNumber = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ",") {
                if inNumber { result.append(current) }
                current = 0
                inNumber = false
            } else {
                current = current &* 10 &+ Int32(byte &- UInt8(ascii: "0"))
                inNumber = true
            }
        }
        if inNumber { result.append(current) }
        return result
    }
}
