/// When a site's targets are waiting for a worker rather than being deployed: a replica
/// refreshes its `workers.seen_at` while it runs, so one not seen for ``seenWithinSeconds`` is
/// gone; a target dispatched to a pool (running, no lease) that no live replica of that pool
/// serves is waiting — never failed (ARCHITECTURE.md, "Rollout").
public enum RolloutWorkerLiveness {
    /// A replica seen this recently is alive.
    public static let seenWithinSeconds = 30

    /// Whether a target is waiting for a worker: dispatched (`running`) but not claimed by a
    /// replica, and no live replica of its pool serves its site.
    public static func isWaiting(state: String, leaseOwner: String?, liveWorkers: Int) -> Bool {
        state == "running" && leaseOwner == nil && liveWorkers == 0
    }

    /// A site's targets waiting for a worker: its unclaimed dispatched targets when no live
    /// replica of its pool serves it, else none.
    public static func waiting(unclaimed: Int, liveWorkers: Int) -> Int {
        liveWorkers == 0 ? unclaimed : 0
    }
}
