import Synchronization

/// Runs a readiness check at most once at a time and gives its answer to every caller
/// waiting on it, each of whom stops waiting at its own deadline.
///
/// Why not a task group racing the check against a timer: a group waits for all its
/// children, so a check blocked in a call that ignores cancellation would hang the probe.
/// Here the check runs in its own task, and waiting callers are continuations that either
/// the check's answer, the caller's timer or the caller's cancellation resumes, exactly once.
final class CoalescedCheck: Sendable {
    private enum Waiter {
        /// Registered, continuation not installed yet.
        case registered
        /// Resolved before its continuation was installed.
        case resolvedEarly(Bool)
        case waiting(CheckedContinuation<Bool, Never>)
    }

    private struct State {
        var checkRunning = false
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let check: @Sendable () async -> Bool
    private let state = Mutex(State())

    init(_ check: @escaping @Sendable () async -> Bool) {
        self.check = check
    }

    /// The check's answer, or false when it takes longer than `timeout` or the caller is cancelled.
    func result(within timeout: Duration) async -> Bool {
        let (id, startCheck) = state.withLock { state in
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = .registered
            defer { state.checkRunning = true }
            return (state.nextWaiter, !state.checkRunning)
        }
        if startCheck {
            // Unstructured on purpose (see the type's comment); it ends when the check returns.
            Task { [self] in
                let up = await check()
                finishRun(with: up)
            }
        }
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            resolve(id, with: false)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                install(continuation, for: id)
            }
        } onCancel: {
            resolve(id, with: false)
        }
    }

    private func install(_ continuation: CheckedContinuation<Bool, Never>, for id: UInt64) {
        let early: Bool? = state.withLock { state in
            switch state.waiters[id] {
            case .resolvedEarly(let up):
                state.waiters[id] = nil
                return up
            case .registered:
                state.waiters[id] = .waiting(continuation)
                return nil
            case .waiting, nil:
                // Unreachable: each id installs once, and only installing removes an early result.
                return false
            }
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Resolves one waiter (timer or cancellation); later resolutions of it do nothing.
    private func resolve(_ id: UInt64, with up: Bool) {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            switch state.waiters[id] {
            case .registered:
                state.waiters[id] = .resolvedEarly(up)
                return nil
            case .waiting(let continuation):
                state.waiters[id] = nil
                return continuation
            case .resolvedEarly, nil:
                return nil
            }
        }
        continuation?.resume(returning: up)
    }

    /// The check answered: every waiter still waiting gets the answer, and the next caller starts a new run.
    private func finishRun(with up: Bool) {
        let pending: [UInt64] = state.withLock { state in
            state.checkRunning = false
            return Array(state.waiters.keys)
        }
        for id in pending { resolve(id, with: up) }
    }
}
