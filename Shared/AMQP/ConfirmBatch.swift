import Synchronization

/// One `publish` call waiting for its publisher confirms.
///
/// The connection's frame reader resolves it (all acked, a nack, a return, the channel or
/// connection closing); the connection's watchdog expires it at its deadline (see
/// `ConnectionStatus.track`), so the publisher never waits on the connection's executor.
/// The first resolution wins; later ones (a confirm arriving after the deadline) are ignored.
final class ConfirmBatch: Sendable {
    let count: Int

    private struct State {
        var result: Result<Void, AMQPError>?
        var continuation: CheckedContinuation<Result<Void, AMQPError>, Never>?
        var pending: Int
    }

    private let state: Mutex<State>

    init(count: Int) {
        self.count = count
        self.state = Mutex(State(pending: count))
    }

    var isResolved: Bool { state.withLock { $0.result != nil } }

    /// The outcome if resolved, without waiting.
    var result: Result<Void, AMQPError>? { state.withLock { $0.result } }

    /// Messages not yet confirmed (for the timeout error).
    func update(pending: Int) { state.withLock { $0.pending = pending } }

    /// Resolves the batch unless it already is.
    func resolve(_ result: Result<Void, AMQPError>) {
        let continuation = state.withLock { s -> CheckedContinuation<Result<Void, AMQPError>, Never>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume(returning: result)
    }

    /// Fails the batch with `confirmTimeout` unless it is already resolved (its deadline passed).
    func expire() {
        resolve(.failure(.confirmTimeout(pending: state.withLock { $0.pending })))
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
