/// Bounds how many sends run at once per endpoint (`scheme://host:port`; the SMTP server is
/// one endpoint), so a slow or dead endpoint holds only its own permits and never delays
/// sends to the others.
/// - Waiters of one endpoint get permits in arrival order (FIFO).
/// - A released permit passes straight to the next waiter, so a newcomer cannot overtake.
/// - A waiter whose task is cancelled leaves the queue and throws `CancellationError`.
/// - An endpoint with no permit held and no waiter is forgotten (no growth over time).
public actor EndpointLimiter {
    /// Sends at once per endpoint (`SHIPBOARD_NOTIFY_ENDPOINT_CONCURRENCY`).
    public nonisolated let limit: Int

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private var held: [String: Int] = [:]
    private var waiters: [String: [Waiter]] = [:]
    private var nextWaiterId: UInt64 = 0

    /// A limiter allowing `limit` (at least 1) sends at once per endpoint.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` holding one of `endpoint`'s permits; waits for one first if all are held.
    public nonisolated func withPermit<Value: Sendable>(
        endpoint: String, _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await acquire(endpoint)
        do {
            let value = try await body()
            await release(endpoint)
            return value
        } catch {
            await release(endpoint)
            throw error
        }
    }

    /// Permits held now for `endpoint` (for tests and metrics).
    public func inUse(_ endpoint: String) -> Int { held[endpoint, default: 0] }

    private func acquire(_ endpoint: String) async throws {
        if held[endpoint, default: 0] < limit, waiters[endpoint, default: []].isEmpty {
            held[endpoint, default: 0] += 1
            return
        }
        nextWaiterId += 1
        let id = nextWaiterId
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[endpoint, default: []].append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id, of: endpoint) }
        }
    }

    private func release(_ endpoint: String) {
        if var queue = waiters[endpoint], !queue.isEmpty {
            // The permit passes to the first waiter: `held` stays the same.
            let next = queue.removeFirst()
            waiters[endpoint] = queue.isEmpty ? nil : queue
            next.continuation.resume()
            return
        }
        let count = held[endpoint, default: 1] - 1
        held[endpoint] = count > 0 ? count : nil
    }

    private func cancelWaiter(_ id: UInt64, of endpoint: String) {
        guard var queue = waiters[endpoint], let index = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: index)
        waiters[endpoint] = queue.isEmpty ? nil : queue
        waiter.continuation.resume(throwing: CancellationError())
    }
}
