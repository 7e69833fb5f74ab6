/// The deliveries one replica holds, by endpoint (a webhook's or chat hook's authority; the
/// SMTP server is one endpoint; `DeliveryStore` computes the key in SQL):
///
/// - at most `limit` sends run at once to one endpoint, and `total` over all of them;
/// - up to `depth` more per endpoint are claimed and wait for a slot, so a send that ends
///   starts the next at once, without a claim between them (claims come in batches when a
///   queue runs low, instead of one per finished send);
/// - a slow or dead endpoint fills only its own slots and queue: the claim asks for no more of
///   its rows (`wants`), and the others' sends go on.
///
/// A claimed delivery carries a lease; one that waited `maxWait` (half the lease, longer than
/// any send takes) is not started but handed back as stale, so no send outlives its lease.
public actor EndpointQueues {
    /// What the next claim may take (`wants()`): `limit` rows in all, per endpoint `slots`.
    public typealias Wants = (limit: Int, slots: DeliveryStore.EndpointSlots)

    private struct Held {
        let delivery: DeliveryStore.Claimed
        let claimedAt: ContinuousClock.Instant
    }

    public let limit: Int
    public let depth: Int
    public let total: Int
    let maxWait: Duration
    private var sending: [String: Int] = [:]
    private var waiting: [String: [Held]] = [:]
    /// Endpoints whose last claim filled every place they had (or that were full and not read).
    private var mayHaveMore: Set<String> = []

    public init(limit: Int, depth: Int, total: Int, maxWait: Duration) {
        self.limit = max(1, limit)
        self.depth = max(0, depth)
        self.total = max(1, total)
        self.maxWait = maxWait
    }

    /// Deliveries held: sending or waiting.
    public var inHand: Int { sendingCount + waiting.values.reduce(0) { $0 + $1.count } }

    private var sendingCount: Int { sending.values.reduce(0, +) }

    /// What the next claim may take: per endpoint, its free slots and queue places; in all,
    /// what keeps the replica's hand at most `total` sending plus as many waiting.
    public func wants() -> Wants {
        var free: [String: Int] = [:]
        for endpoint in Set(sending.keys).union(waiting.keys) {
            let held = sending[endpoint, default: 0] + (waiting[endpoint]?.count ?? 0)
            free[endpoint] = max(0, limit + depth - held)
        }
        return (max(0, 2 * total - inHand), DeliveryStore.EndpointSlots(perEndpoint: limit + depth, free: free))
    }

    /// Takes claimed deliveries; returns those that start now (their slots taken) and any
    /// found stale on the way. `asked`: what the claim asked for (`wants()`), none when no
    /// claim was made; it tells which endpoints may have more due rows than they got.
    public func admit(
        _ claimed: [DeliveryStore.Claimed], asked: Wants?,
        at now: ContinuousClock.Instant
    ) -> (started: [DeliveryStore.Claimed], stale: [DeliveryStore.Claimed]) {
        var counts: [String: Int] = [:]
        for delivery in claimed {
            waiting[delivery.endpoint, default: []].append(Held(delivery: delivery, claimedAt: now))
            counts[delivery.endpoint, default: 0] += 1
        }
        if let asked {
            if claimed.count >= asked.limit {
                // Cut short by the replica's limit: any endpoint may have more.
                mayHaveMore.formUnion(counts.keys)
                mayHaveMore.formUnion(asked.slots.free.keys)
            } else {
                // An endpoint that got fewer rows than it had places for had no more due then
                // (new ones arrive with a NOTIFY, retries at the next poll); a full one was not read.
                mayHaveMore = Set(asked.slots.free.filter { $0.value <= 0 }.keys)
                for (endpoint, count) in counts where count >= asked.slots.free[endpoint] ?? asked.slots.perEndpoint {
                    mayHaveMore.insert(endpoint)
                }
            }
        }
        var started: [DeliveryStore.Claimed] = []
        var stale: [DeliveryStore.Claimed] = []
        for endpoint in waiting.keys.sorted() {
            while let next = take(from: endpoint, at: now, stale: &stale) { started.append(next) }
        }
        return (started, stale)
    }

    /// A send to `endpoint` ended: its slot goes to the next delivery waiting for that
    /// endpoint, else to another endpoint's. `refill`: this endpoint's queue ran low while more
    /// of its rows may be due, so a claim should top it up. `stale`: deliveries found too old
    /// to start.
    public func finished(
        _ endpoint: String, at now: ContinuousClock.Instant
    ) -> (next: DeliveryStore.Claimed?, refill: Bool, stale: [DeliveryStore.Claimed]) {
        release(endpoint)
        var stale: [DeliveryStore.Claimed] = []
        var next = take(from: endpoint, at: now, stale: &stale)
        if next == nil {
            for other in waiting.keys.sorted() where other != endpoint {
                next = take(from: other, at: now, stale: &stale)
                if next != nil { break }
            }
        }
        return (next, mayHaveMore.contains(endpoint) && (waiting[endpoint]?.count ?? 0) * 2 <= depth, stale)
    }

    /// The oldest delivery waiting for `endpoint` if a slot is free (taking the slot); stale
    /// ones found on the way are moved to `stale`.
    private func take(
        from endpoint: String, at now: ContinuousClock.Instant, stale: inout [DeliveryStore.Claimed]
    ) -> DeliveryStore.Claimed? {
        while sendingCount < total, sending[endpoint, default: 0] < limit, var queue = waiting[endpoint], !queue.isEmpty {
            let held = queue.removeFirst()
            waiting[endpoint] = queue.isEmpty ? nil : queue
            if now - held.claimedAt > maxWait {
                stale.append(held.delivery)
                continue
            }
            sending[endpoint, default: 0] += 1
            return held.delivery
        }
        return nil
    }

    /// Every delivery still waiting (none started): a replica that stops gives them back, so
    /// they need not wait for their leases to expire.
    public func takeWaiting() -> [DeliveryStore.Claimed] {
        let all = waiting.keys.sorted().flatMap { waiting[$0]!.map(\.delivery) }
        waiting = [:]
        return all
    }

    private func release(_ endpoint: String) {
        let current = sending[endpoint, default: 1] - 1
        sending[endpoint] = current > 0 ? current : nil
    }
}
