import Contracts

/// The whole CMDB graph at one version, in memory, for impact sets of hub CIs: walking
/// 90,000 CIs in PostgreSQL costs hundreds of milliseconds however it is written, and in
/// arrays of integers a few. A copy, never a second home: it is valid only for the
/// `cmdb_version` it was read at (migration 0010), and ``CMDBSnapshotCache`` checks that
/// version before every use.
///
/// CIs are numbered in key order (the database's), so a set of numbers read in order is a
/// list sorted by key. Edges are kept in compressed rows (offsets into one array) per walk
/// direction.
public struct CMDBSnapshot: Sendable {
    /// The `cmdb_version` the snapshot was read at.
    public let version: Int64
    /// Every CI, sorted by key.
    public let items: [ConfigurationItem]
    private let numbers: [String: Int32]
    /// For CI `n`: the CIs that depend on or run on it (walked on).
    private let dependents: Adjacency
    /// For CI `n`: the wholes it is `part_of` (walked on).
    private let wholes: Adjacency
    /// For CI `n`: the sites it is `located_at` (one step, not walked on).
    private let sites: Adjacency

    /// What a relationship means to the impact walk.
    public enum EdgeRole: Int, Sendable {
        /// `depends_on` or `runs_on`: the source is impacted when the target is.
        case dependency = 0
        /// `part_of`: the whole (target) is impacted when the part (source) is.
        case partOf = 1
        /// `located_at`: the site (target) is impacted, one step only.
        case locatedAt = 2
    }

    /// One relationship, between CI numbers (positions in `items`).
    public struct Edge: Sendable, Equatable {
        public var source: Int32
        public var target: Int32
        public var role: EdgeRole

        public init(source: Int32, target: Int32, role: EdgeRole) {
            self.source = source
            self.target = target
            self.role = role
        }
    }

    /// `items` must be sorted by key; edges name positions in it.
    public init(version: Int64, items: [ConfigurationItem], edges: [Edge]) {
        self.version = version
        self.items = items
        var numbers: [String: Int32] = [:]
        numbers.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { numbers[item.key] = Int32(index) }
        self.numbers = numbers
        let count = items.count
        dependents = Adjacency(count: count, edges: edges.lazy.filter { $0.role == .dependency }.map { ($0.target, $0.source) })
        wholes = Adjacency(count: count, edges: edges.lazy.filter { $0.role == .partOf }.map { ($0.source, $0.target) })
        sites = Adjacency(count: count, edges: edges.lazy.filter { $0.role == .locatedAt }.map { ($0.source, $0.target) })
    }

    /// The impact set of `changedKeys`, sorted by key, with the meaning of
    /// `CIRepository.impactSet(changedCIKeys:)`: the changed CIs that exist, everything that
    /// depends or runs on one reached or is the whole one reached is part of (any number of
    /// steps), and the sites all of those are located at (one step).
    public func impactSet(changedKeys: [String]) -> [ConfigurationItem] {
        var reached = [Bool](repeating: false, count: items.count)
        var queue: [Int32] = []
        for key in changedKeys {
            if let number = numbers[key], !reached[Int(number)] {
                reached[Int(number)] = true
                queue.append(number)
            }
        }
        var next = 0
        while next < queue.count {
            let current = queue[next]
            next += 1
            for neighbour in dependents.neighbours(of: current) where !reached[Int(neighbour)] {
                reached[Int(neighbour)] = true
                queue.append(neighbour)
            }
            for neighbour in wholes.neighbours(of: current) where !reached[Int(neighbour)] {
                reached[Int(neighbour)] = true
                queue.append(neighbour)
            }
        }
        var impacted = reached
        for number in queue {
            for site in sites.neighbours(of: number) { impacted[Int(site)] = true }
        }
        var result: [ConfigurationItem] = []
        result.reserveCapacity(queue.count)
        for (index, isImpacted) in impacted.enumerated() where isImpacted { result.append(items[index]) }
        return result
    }

    /// Neighbours per CI number in one array: those of `n` are `targets[offsets[n]..<offsets[n + 1]]`.
    struct Adjacency: Sendable {
        private let offsets: [Int32]
        private let targets: [Int32]

        init(count: Int, edges: some Sequence<(Int32, Int32)>) {
            var degree = [Int32](repeating: 0, count: count + 1)
            var pairs: [(Int32, Int32)] = []
            for (from, to) in edges {
                degree[Int(from) + 1] += 1
                pairs.append((from, to))
            }
            for index in 0..<count { degree[index + 1] += degree[index] }
            var fill = degree
            var targets = [Int32](repeating: 0, count: pairs.count)
            for (from, to) in pairs {
                targets[Int(fill[Int(from)])] = to
                fill[Int(from)] += 1
            }
            offsets = degree
            self.targets = targets
        }

        func neighbours(of number: Int32) -> ArraySlice<Int32> {
            targets[Int(offsets[Int(number)])..<Int(offsets[Int(number) + 1])]
        }
    }
}
