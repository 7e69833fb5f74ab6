import Foundation

/// Which worker pool deploys to which site, from the replicas that registered (`workers`).
/// A pool that names sites serves only those; a pool that names none serves every site no
/// named pool claims. Pure.
///
/// A site no pool serves gets no deploy job: its targets stay pending and show as waiting
/// for a worker. A pool whose replicas are all gone still gets its jobs: they wait in its
/// durable queue until a replica of that pool starts again.
public struct PoolDirectory: Sendable, Equatable {
    /// One registered replica.
    public struct Worker: Sendable, Equatable {
        public var pool: String
        /// Sites it serves; empty: any site.
        public var sites: [String]
        public var seenAt: Date

        public init(pool: String, sites: [String], seenAt: Date) {
            self.pool = pool
            self.sites = sites
            self.seenAt = seenAt
        }
    }

    /// A replica not seen for this long is gone.
    public static let liveness: TimeInterval = 30

    public let workers: [Worker]

    public init(workers: [Worker]) {
        self.workers = workers
    }

    /// The pool for `site`: one naming it (a live one first, then by name), else one serving
    /// every site (the same preference), else nil.
    public func pool(for site: String, now: Date) -> String? {
        let naming = workers.filter { $0.sites.contains(site) }
        return Self.preferred(naming, now: now) ?? Self.preferred(workers.filter { $0.sites.isEmpty }, now: now)
    }

    /// True when some live replica serves `site`.
    public func hasLiveWorker(for site: String, now: Date) -> Bool {
        guard let pool = pool(for: site, now: now) else { return false }
        return workers.contains { $0.pool == pool && now.timeIntervalSince($0.seenAt) < Self.liveness }
    }

    private static func preferred(_ candidates: [Worker], now: Date) -> String? {
        let live = candidates.filter { now.timeIntervalSince($0.seenAt) < liveness }.map(\.pool).sorted()
        return live.first ?? candidates.map(\.pool).sorted().first
    }
}
