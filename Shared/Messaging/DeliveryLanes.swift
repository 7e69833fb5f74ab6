/// What `DeliveryLanes` needs to know about an item it schedules.
protocol LaneScheduled: Sendable {
    /// The lane (a correlation id): items of one lane are handled one after the other.
    var lane: String { get }
    /// Arrival order; increasing in the order items are put.
    var sequence: UInt64 { get }
    /// Whether it may share a transaction with others (see `LaneItem.batchable`).
    var batchable: Bool { get }
}

/// Deliveries waiting for a worker, in lanes keyed by correlation id.
///
/// - One reader puts deliveries in arrival order; several workers take batches.
/// - A lane is in one worker's hands at a time: its messages are handled one after the
///   other in arrival order. A batch takes free lanes in the order their first waiting
///   message arrived, and from each the messages at its head that may share a transaction
///   (in order, handled in order in one transaction), up to `maxBatch` in all.
/// - A message that must go alone is taken alone when its lane comes first, and otherwise
///   waits (with the rest of its lane) for a later batch.
/// - A retry keeps its lane: the message waits out its delay while its lane stays busy, so
///   the messages behind it wait too; other lanes go on and no worker is blocked meanwhile.
/// - `hold()` stops handing out work (the database is down) until `release()`; what was
///   taken back with `putBack` keeps its place at the head of its lane.
/// - `finish()` (shutdown): what is waiting is still handed out; messages waiting for a
///   retry, and the rest of their lanes, are abandoned unacknowledged (the broker
///   redelivers them); when held, everything waiting is abandoned. `take()` then returns an
///   empty batch once nothing more can be handed out.
///
/// Cost: each lane keeps its own queue and the free lanes are kept in order, so a put or
/// a take touches only the lanes it concerns, however many messages wait (the prefetch).
actor DeliveryLanes<Item: LaneScheduled> {
    /// Waiting items per lane, in arrival order (a lane with nothing waiting has no entry).
    private var queues: [String: LaneQueue] = [:]
    private var waitingCount = 0
    /// Lanes that are free and have items waiting, ordered by their first item's sequence.
    private var ready: [String] = []
    /// Lanes with messages in a worker's hands or waiting for a retry, and how many: a lane
    /// is free again only when the last of them is done or put back.
    private var busy: [String: Int] = [:]
    /// Messages waiting for a retry: their lanes, and the timer that puts them back.
    private var retrying: [Int: RetryTimer] = [:]
    private var nextTimer = 0
    private var waiters: [CheckedContinuation<[Item], Never>] = []
    private var held = false
    private var finished = false
    private let maxBatch: Int

    private struct RetryTimer {
        let lanes: Set<String>
        let task: Task<Void, Never>
    }

    /// One lane's waiting items; `head` indexes the first (taking from the front is O(1)).
    private struct LaneQueue {
        var items: [Item] = []
        var head = 0

        var isEmpty: Bool { head == items.count }
        var first: Item? { isEmpty ? nil : items[head] }

        mutating func removeFirst() -> Item {
            let item = items[head]
            head += 1
            if head > 32 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    func put(_ item: Item) {
        let lane = item.lane
        let wasEmpty = queues[lane]?.isEmpty ?? true
        queues[lane, default: LaneQueue()].items.append(item)
        waitingCount += 1
        // The newest sequence so far: a lane that becomes ready here goes last.
        if wasEmpty && busy[lane] == nil { ready.append(lane) }
        serve()
    }

    /// The next batch; empty only when finished and nothing more can be handed out.
    func take() async -> [Item] {
        let batch = nextBatch()
        if !batch.isEmpty || isDrained { return batch }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The worker is done with `items` (settled, or abandoned): their lanes are free.
    func done(_ items: [Item]) {
        for item in items { release(item.lane) }
        serve()
    }

    /// Returns `items` to the head of their lanes, unchanged in order (an outage, a failed
    /// batch): they are handed out again before anything that arrived after them.
    func putBack(_ items: [Item]) {
        for item in items { release(item.lane) }
        if finished && held { return serve() }
        var byLane: [String: [Item]] = [:]
        for item in items { byLane[item.lane, default: []].append(item) }
        for (lane, returned) in byLane {
            let rest = queues[lane].map { Array($0.items[$0.head...]) } ?? []
            queues[lane] = LaneQueue(items: (returned + rest).sorted { $0.sequence < $1.sequence })
            waitingCount += returned.count
            // Its first item changed: its place among the ready lanes too.
            ready.removeAll { $0 == lane }
            makeReadyIfFree(lane)
        }
        serve()
    }

    /// Hands `items` (in a worker's hands) out again after `delay`; their lanes stay busy until then.
    func retry(_ items: [Item], after delay: Duration) {
        let lanes = Set(items.map(\.lane))
        guard !finished else {
            for lane in lanes { abandonLane(lane) }
            return serve()
        }
        nextTimer += 1
        let id = nextTimer
        let task = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.retryDue(id, items)
        }
        retrying[id] = RetryTimer(lanes: lanes, task: task)
    }

    private func retryDue(_ id: Int, _ items: [Item]) {
        guard retrying.removeValue(forKey: id) != nil else { return }
        putBack(items)
    }

    /// Stops handing out work until `release()`.
    func hold() {
        held = true
    }

    func release() {
        held = false
        serve()
    }

    /// No more puts; see the type's documentation.
    func finish() {
        finished = true
        let timers = retrying.values
        retrying.removeAll()
        for timer in timers {
            timer.task.cancel()
            for lane in timer.lanes { abandonLane(lane) }
        }
        if held {
            queues.removeAll()
            ready.removeAll()
            waitingCount = 0
        }
        serve()
    }

    /// One fewer item of `lane` in a worker's hands; the lane becomes ready when it is free
    /// and has items waiting.
    private func release(_ lane: String) {
        guard let count = busy[lane] else { return }
        busy[lane] = count > 1 ? count - 1 : nil
        makeReadyIfFree(lane)
    }

    /// Puts a free lane with waiting items into `ready`, at the place of its first item's sequence.
    private func makeReadyIfFree(_ lane: String) {
        guard busy[lane] == nil, let first = queues[lane]?.first, !ready.contains(lane) else { return }
        var low = 0
        var high = ready.count
        while low < high {
            let middle = (low + high) / 2
            if let other = queues[ready[middle]]?.first, other.sequence < first.sequence {
                low = middle + 1
            } else {
                high = middle
            }
        }
        ready.insert(lane, at: low)
    }

    private func abandonLane(_ lane: String) {
        busy[lane] = nil
        if let queue = queues.removeValue(forKey: lane) {
            waitingCount -= queue.items.count - queue.head
        }
        ready.removeAll { $0 == lane }
    }

    private var isDrained: Bool { finished && (waitingCount == 0 || held) }

    private func serve() {
        while !waiters.isEmpty {
            let batch = nextBatch()
            if batch.isEmpty && !isDrained { return }
            waiters.removeFirst().resume(returning: batch)
        }
    }

    /// Free lanes in the order their first message arrived: from each, the messages at its
    /// head that may share a transaction, up to `maxBatch`. A message that must go alone is
    /// taken alone when its lane comes first, and otherwise waits for a later batch.
    private func nextBatch() -> [Item] {
        guard !held, !ready.isEmpty else { return [] }
        var batch: [Item] = []
        var taken: Set<String> = []
        for lane in ready {
            guard let first = queues[lane]?.first else { continue }
            if !first.batchable && !batch.isEmpty { continue }
            // Moved out of the dictionary while it changes, so its array is not copied.
            guard var queue = queues.removeValue(forKey: lane) else { continue }
            if first.batchable {
                while batch.count < maxBatch, let next = queue.first, next.batchable {
                    batch.append(queue.removeFirst())
                }
            } else {
                batch.append(queue.removeFirst())
            }
            if !queue.isEmpty { queues[lane] = queue }
            taken.insert(lane)
            if !first.batchable || batch.count == maxBatch { break }
        }
        guard !batch.isEmpty else { return [] }
        waitingCount -= batch.count
        ready.removeAll { taken.contains($0) }
        for item in batch { busy[item.lane, default: 0] += 1 }
        return batch
    }
}
