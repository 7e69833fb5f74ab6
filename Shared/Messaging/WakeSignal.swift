/// A one-slot wake-up: `signal()` wakes the current or next `wait`; signals while nobody
/// waits collapse into one. Used to wake the outbox relay on NOTIFY, and a rollout replica's
/// coordinator when its workers recorded outcomes.
public actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation: UInt64 = 0

    public init() {}

    public func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns on a signal or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        generation &+= 1
        let current = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(current)
        }
        await withCheckedContinuation { continuation in
            waiter = continuation
        }
        timer.cancel()
    }

    private func expire(_ expected: UInt64) {
        guard expected == generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
