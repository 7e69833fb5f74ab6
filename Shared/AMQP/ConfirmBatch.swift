import Synchronization

/// One `publish` call waiting for its publisher confirms.
///
/// The connection's frame reader resolves it (all acked, a nack, a return, the channel or
/// connection closing); a timer resolves it at its deadline, so the publisher never waits
/// on the connection's executor. The first resolution wins; later ones (a confirm arriving
/// after the deadline) are ignored. Resolving cancels the timer.
final class ConfirmBatch: Sendable {
    let count: Int

    private struct State {
        var result: Result<Void, AMQPError>?
        var continuation: CheckedContinuation<Result<Void, AMQPError>, Never>?
        var timer: Task<Void, Never>?
        var pending: Int
    }

    private let state: Mutex<State>

    init(count: Int) {
        self.count = count
        self.state = Mutex(State(pending: count))
    }

    var isResolved: Bool { state.withLock { $0.result != nil } }

    /// Messages not yet confirmed (for the timeout error).
    func update(pending: Int) { state.withLock { $0.pending = pending } }

    /// Resolves the batch unless it already is.
    func resolve(_ result: Result<Void, AMQPError>) {
        let (continuation, timer) = state.withLock { s -> (CheckedContinuation<Result<Void, AMQPError>, Never>?, Task<Void, Never>?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            defer {
                s.continuation = nil
                s.timer = nil
            }
            return (s.continuation, s.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: result)
    }

    /// Starts the deadline timer: at `deadline`, an unresolved batch fails with `confirmTimeout`.
    func expire(at deadline: ContinuousClock.Instant) {
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            resolve(.failure(.confirmTimeout(pending: state.withLock { $0.pending })))
        }
        let resolved = state.withLock { s -> Bool in
            if s.result == nil { s.timer = timer }
            return s.result != nil
        }
        if resolved { timer.cancel() }
    }

    /// The outcome, once resolved.
    func wait() async -> Result<Void, AMQPError> {
        if let result = state.withLock({ $0.result }) { return result }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Result<Void, AMQPError>? in
                if s.result == nil { s.continuation = continuation }
                return s.result
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
