/// Which SQL texts are prepared on one connection, and under which names.
///
/// Statement names are generated (`shipboard_s<n>`), never derived from input. The cache is
/// bounded: when full, the least recently used statement is evicted and the caller
/// deallocates it on the server. Confined to its ``LibPQConnection``.
struct PreparedStatementCache {
    /// SQL text plus parameter types: the same text with other parameter types is another
    /// statement, because `PQprepare` fixes the types.
    struct Key: Hashable {
        let sql: String
        let parameterTypes: [UInt32]
    }

    private struct Entry {
        let name: String
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var nextNumber = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var isEnabled: Bool { capacity > 0 }
    var count: Int { entries.count }

    /// The statement name for `key`, marking it recently used.
    mutating func name(for key: Key) -> String? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry.name
    }

    /// A fresh statement name.
    mutating func makeName() -> String {
        nextNumber += 1
        return "shipboard_s\(nextNumber)"
    }

    /// Records a prepared statement; returns the name of the evicted one, if any.
    mutating func insert(_ key: Key, name: String) -> String? {
        var evicted: String?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            evicted = oldest.value.name
        }
        clock += 1
        entries[key] = Entry(name: name, lastUse: clock)
        return evicted
    }

    /// Forgets a statement the server no longer has (or whose plan went stale).
    mutating func remove(_ key: Key) {
        entries[key] = nil
    }

    /// Forgets everything (e.g. after `DISCARD ALL`).
    mutating func removeAll() {
        entries.removeAll()
    }
}
