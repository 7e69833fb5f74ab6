import Synchronization

/// The buffer between a connection's frame reader (one producer) and a consumer's reader
/// (one iterator) of manually acknowledged deliveries.
///
/// - Bounded: with manual acks the broker never has more than `prefetch` deliveries
///   unacknowledged on the consumer, so `capacity` = prefetch is never reached in practice;
///   an offer beyond it is refused and the connection rejects that delivery with requeue.
/// - Never leaves a delivery unacked: when the reader goes away (its iterator is dropped or
///   its task cancelled) the queue terminates and rejects, with requeue, whatever it still
///   holds; a delivery offered after that is refused (and rejected by the connection).
/// - Deliveries of a lost connection are dropped (`purge`): the broker redelivers them.
final class DeliveryQueue: Sendable {
    /// What became of an offered delivery.
    enum Offer { case accepted, full, closed }

    private struct State {
        var items: [AMQPDelivery] = []
        var head = 0
        var waiter: CheckedContinuation<Result<AMQPDelivery?, any Error>, Never>?
        var finished = false
        var failure: (any Error)?
        var terminated = false
        var onTermination: (@Sendable () -> Void)?

        var count: Int { items.count - head }

        mutating func popFirst() -> AMQPDelivery? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }

        mutating func drain() -> [AMQPDelivery] {
            let rest = Array(items[head...])
            items.removeAll()
            head = 0
            return rest
        }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Called once when the reader goes away (not when the queue is merely finished).
    func setOnTermination(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onTermination = handler }
    }

    /// Hands a delivery to the reader (frame reader only).
    func offer(_ delivery: AMQPDelivery) -> Offer {
        let (outcome, waiter) = state.withLock { s -> (Offer, CheckedContinuation<Result<AMQPDelivery?, any Error>, Never>?) in
            if s.terminated || s.finished { return (.closed, nil) }
            if let waiter = s.waiter {
                s.waiter = nil
                return (.accepted, waiter)
            }
            guard s.count < capacity else { return (.full, nil) }
            s.items.append(delivery)
            return (.accepted, nil)
        }
        waiter?.resume(returning: .success(delivery))
        return outcome
    }

    /// No more deliveries: the reader gets what is buffered, then the end (or `error`).
    /// With `dropBuffered` the buffered deliveries are discarded (their connection is gone).
    func finish(throwing error: (any Error)? = nil, dropBuffered: Bool = false) {
        let waiter = state.withLock { s -> CheckedContinuation<Result<AMQPDelivery?, any Error>, Never>? in
            guard !s.finished, !s.terminated else { return nil }
            s.finished = true
            s.failure = error
            if dropBuffered { _ = s.drain() }
            guard s.count == 0, let waiter = s.waiter else { return nil }
            s.waiter = nil
            s.failure = nil
            return waiter
        }
        if let error { waiter?.resume(returning: .failure(error)) } else { waiter?.resume(returning: .success(nil)) }
    }

    /// Drops buffered deliveries that came over `connection` (it failed; the broker redelivers them).
    func purge(deliveredBy connection: AMQPConnection) {
        state.withLock { s in
            let kept = s.drain().filter { $0.connection !== connection }
            s.items = kept
        }
    }

    /// The reader went away: refuse further deliveries, requeue the buffered ones.
    func terminate() {
        let (leftovers, waiter, handler) = state.withLock {
            s -> ([AMQPDelivery], CheckedContinuation<Result<AMQPDelivery?, any Error>, Never>?, (@Sendable () -> Void)?) in
            guard !s.terminated else { return ([], nil, nil) }
            s.terminated = true
            let waiter = s.waiter
            s.waiter = nil
            let handler = s.onTermination
            s.onTermination = nil
            return (s.drain(), waiter, handler)
        }
        waiter?.resume(returning: .success(nil))
        if !leftovers.isEmpty {
            Task {
                for delivery in leftovers { try? await delivery.reject(requeue: true) }
            }
        }
        handler?()
    }

    /// The next delivery; nil when finished and drained, or terminated.
    func next() async throws -> AMQPDelivery? {
        // Fast path without a continuation: under load a delivery is usually waiting.
        let immediate = state.withLock { s -> Result<AMQPDelivery?, any Error>? in
            if let item = s.popFirst() { return .success(item) }
            if s.terminated { return .success(nil) }
            if s.finished {
                defer { s.failure = nil }
                return s.failure.map { .failure($0) } ?? .success(nil)
            }
            return nil
        }
        if let immediate { return try immediate.get() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<AMQPDelivery?, any Error>, Never>) in
                let ready = state.withLock { s -> Result<AMQPDelivery?, any Error>? in
                    if let item = s.popFirst() { return .success(item) }
                    if s.terminated { return .success(nil) }
                    if s.finished {
                        defer { s.failure = nil }
                        return s.failure.map { .failure($0) } ?? .success(nil)
                    }
                    s.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            terminate()
        }
        return try result.get()
    }
}

/// Deliveries of one consumer, in order: an async sequence with one reader at a time
/// (iterating it again later continues where the last iterator stopped).
///
/// When the reader goes away for good (every copy of the sequence and of its iterators is
/// gone, or the task waiting in `next()` is cancelled) the consumer is cancelled and the
/// deliveries still buffered are rejected back to the queue: none is left unacknowledged.
public struct AMQPDeliveries: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    let queue: DeliveryQueue
    private let token: ReaderToken

    init(queue: DeliveryQueue) {
        self.queue = queue
        self.token = ReaderToken(queue: queue)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(queue: queue, token: token)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let queue: DeliveryQueue
        let token: ReaderToken

        public mutating func next() async throws -> AMQPDelivery? {
            try await queue.next()
        }
    }

    /// Terminates the queue when the last copy of the sequence or an iterator goes away.
    final class ReaderToken: Sendable {
        let queue: DeliveryQueue
        init(queue: DeliveryQueue) { self.queue = queue }
        deinit { queue.terminate() }
    }
}
