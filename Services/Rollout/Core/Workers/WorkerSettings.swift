import Foundation

/// How one replica works: which pool it belongs to, which sites it serves, how many deploys
/// it runs at once and how long its hold on a target lasts without renewal.
public struct WorkerSettings: Sendable, Equatable {
    /// The pool of replicas that name no pool: it serves every site no other pool names.
    public static let defaultPool = "default"

    /// `[a-z0-9][a-z0-9-]{0,39}`: it names a queue, `rollout.deploy.<pool>`.
    public var pool: String
    /// Sites this replica serves; empty: every site.
    public var sites: [String]
    /// Deploys running at once on this replica (the queue's prefetch).
    public var concurrency: Int
    /// How long a claimed target stays this replica's without renewal; renewed every third of it.
    public var lease: Duration
    /// This replica's name in leases and attempts (host name and process id by default).
    public var replica: String

    public init(pool: String = defaultPool, sites: [String] = [], concurrency: Int = 32, lease: Duration = .seconds(30), replica: String) {
        self.pool = pool
        self.sites = sites
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.replica = replica
    }

    /// The queue this replica consumes.
    public var queue: String { "rollout.deploy.\(pool)" }

    /// True for a pool name that can name a queue.
    public static func isValidPool(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...40).contains(name.unicodeScalars.count) else { return false }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-")
        return first != "-" && name.unicodeScalars.allSatisfy { allowed.contains($0) }
    }

    /// `host-pid`, unique among running replicas.
    public static func defaultReplicaName() -> String {
        "\(ProcessInfo.processInfo.hostName.prefix(120))-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
