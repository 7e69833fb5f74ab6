/// Deliveries waiting for a worker, in lanes keyed by correlation id.
///
/// - One reader puts deliveries in arrival order; several workers take batches.
/// - A lane is in one worker's hands at a time: its messages are handled one after the
///   other in arrival order. A batch takes the heads of different lanes, and may take
///   several messages of one lane (in order, handled in order in one transaction).
/// - A retry keeps its lane: the message waits out its delay while its lane stays busy, so
///   the messages behind it wait too; other lanes go on and no worker is blocked meanwhile.
/// - `hold()` stops handing out work (the database is down) until `release()`; what was
///   taken back with `putBack` keeps its place at the head of its lane.
/// - `finish()` (shutdown): what is waiting is still handed out; messages waiting for a
///   retry, and the rest of their lanes, are abandoned unacknowledged (the broker
///   redelivers them); when held, everything waiting is abandoned. `take()` then returns an
///   empty batch once nothing more can be handed out.
actor DeliveryLanes {
    private var waiting: [LaneItem] = []
    /// Lanes with messages in a worker's hands or waiting for a retry, and how many: a lane
    /// is free again only when the last of them is done or put back.
    private var busy: [String: Int] = [:]
    /// Messages waiting for a retry: their lanes, and the timer that puts them back.
    private var retrying: [Int: RetryTimer] = [:]
    private var nextTimer = 0
    private var waiters: [CheckedContinuation<[LaneItem], Never>] = []
    private var held = false
    private var finished = false
    private let maxBatch: Int

    private struct RetryTimer {
        let lanes: Set<String>
        let task: Task<Void, Never>
    }

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    func put(_ item: LaneItem) {
        waiting.append(item)
        serve()
    }

    /// The next batch; empty only when finished and nothing more can be handed out.
    func take() async -> [LaneItem] {
        let batch = nextBatch()
        if !batch.isEmpty || isDrained { return batch }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The worker is done with `items` (settled, or abandoned): their lanes are free.
    func done(_ items: [LaneItem]) {
        for item in items { release(item.lane) }
        serve()
    }

    /// Returns `items` to the head of their lanes, unchanged in order (an outage, a failed
    /// batch): they are handed out again before anything that arrived after them.
    func putBack(_ items: [LaneItem]) {
        for item in items { release(item.lane) }
        if finished && held { return serve() }
        waiting.append(contentsOf: items)
        waiting.sort { $0.sequence < $1.sequence }
        serve()
    }

    /// Hands `items` (in a worker's hands) out again after `delay`; their lanes stay busy until then.
    func retry(_ items: [LaneItem], after delay: Duration) {
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

    private func retryDue(_ id: Int, _ items: [LaneItem]) {
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
        if held { waiting.removeAll() }
        serve()
    }

    private func release(_ lane: String) {
        guard let count = busy[lane] else { return }
        busy[lane] = count > 1 ? count - 1 : nil
    }

    private func abandonLane(_ lane: String) {
        busy[lane] = nil
        waiting.removeAll { $0.lane == lane }
    }

    private var isDrained: Bool { finished && (waiting.isEmpty || held) }

    private func serve() {
        while !waiters.isEmpty {
            let batch = nextBatch()
            if batch.isEmpty && !isDrained { return }
            waiters.removeFirst().resume(returning: batch)
        }
    }

    /// In arrival order: the first message of each free lane, and those behind it while
    /// they may share a transaction, up to `maxBatch`. A message that must go alone is taken
    /// alone when it comes first, and otherwise blocks its lane for this batch.
    private func nextBatch() -> [LaneItem] {
        guard !held, !waiting.isEmpty else { return [] }
        var batch: [LaneItem] = []
        var taken: Set<Int> = []
        var blocked = Set(busy.keys)
        for (index, item) in waiting.enumerated() where !blocked.contains(item.lane) {
            if !item.batchable {
                if batch.isEmpty {
                    batch.append(item)
                    taken.insert(index)
                    break
                }
                blocked.insert(item.lane)
                continue
            }
            batch.append(item)
            taken.insert(index)
            if batch.count == maxBatch { break }
        }
        guard !batch.isEmpty else { return [] }
        waiting = waiting.indices.filter { !taken.contains($0) }.map { waiting[$0] }
        for item in batch { busy[item.lane, default: 0] += 1 }
        return batch
    }
}
