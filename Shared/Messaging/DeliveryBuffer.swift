import AMQP

/// Deliveries waiting for a worker. One reader puts, several workers take whatever is
/// there (up to a batch) so a busy queue is handled in batches and a quiet one at once.
actor DeliveryBuffer {
    private var items: [AMQPDelivery] = []
    private var waiters: [CheckedContinuation<[AMQPDelivery], Never>] = []
    private var finished = false
    private let maxBatch: Int

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    func put(_ delivery: AMQPDelivery) {
        items.append(delivery)
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: takeNow()) }
    }

    /// No more puts: waiting workers get an empty batch once everything is taken.
    func finish() {
        finished = true
        while !waiters.isEmpty { waiters.removeFirst().resume(returning: takeNow()) }
    }

    /// The next batch; empty only when finished and drained.
    func take() async -> [AMQPDelivery] {
        if !items.isEmpty || finished { return takeNow() }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func takeNow() -> [AMQPDelivery] {
        let count = min(maxBatch, items.count)
        let batch = Array(items.prefix(count))
        items.removeFirst(count)
        return batch
    }
}
