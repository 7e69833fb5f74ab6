import Glibc
import Synchronization

/// The part of a connection's state that code outside its executor must read or change
/// without waiting for that executor, which may be busy (blocked in `poll`, or stuck in a
/// write into a broker that stopped reading).
///
/// - `failure`, `blockedReason` and the channel epochs are written by the executor and read
///   anywhere (`isOpen`, `isBlocked`, `AMQPDelivery.isLive`).
/// - Publishers wait here while the broker blocks the connection; the executor wakes them
///   on `connection.unblocked` or on failure, a timer on their deadline.
/// - Publishes waiting for confirms are tracked with their deadlines; the watchdog tick
///   (`expireOverdue`) fails them when the deadline passes, whatever the executor is doing.
/// - The write watchdog: the executor brackets each publish's writes with `beginWrite` /
///   `endWrite`; `abortStuckWrite` (called from a timer task) shuts the socket down under
///   the lock, so the descriptor cannot be closed or reused meanwhile (closing happens on
///   the executor, which is inside the write).
final class ConnectionStatus: Sendable {
    private struct State {
        var failure: AMQPError?
        var blockedReason: String?
        var unblockWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var epochs: [UInt16: UInt64] = [:]
        var socket: Int32 = -1
        var writeStarted: ContinuousClock.Instant?
        var writeAborted = false
        var driven = false
        var deadlines: [ObjectIdentifier: (batch: ConfirmBatch, deadline: ContinuousClock.Instant)] = [:]
    }

    private let state = Mutex(State())

    /// Why a wait for `connection.unblocked` ended.
    enum BlockedWait: Sendable {
        case unblocked
        case failed(AMQPError)
        case stillBlocked(reason: String)
    }

    var failure: AMQPError? { state.withLock { $0.failure } }
    var blockedReason: String? { state.withLock { $0.blockedReason } }

    /// Records the first failure (later ones are ignored) and returns the one that sticks.
    @discardableResult
    func markFailed(_ error: AMQPError) -> AMQPError {
        let (failure, waiters) = state.withLock { s -> (AMQPError, [CheckedContinuation<Void, Never>]) in
            if s.failure == nil { s.failure = error }
            let waiters = Array(s.unblockWaiters.values)
            s.unblockWaiters.removeAll()
            return (s.failure ?? error, waiters)
        }
        for waiter in waiters { waiter.resume() }
        return failure
    }

    /// Sets (reason) or clears (nil) the broker's block; clearing wakes waiting publishers.
    func setBlocked(_ reason: String?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.blockedReason = reason
            guard reason == nil else { return [] }
            let waiters = Array(s.unblockWaiters.values)
            s.unblockWaiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// `run()` starts or stops driving the connection. When it stops, batches still waiting
    /// would never be read or expired: they fail now (outcome unknown).
    func setDriven(_ driven: Bool) {
        let orphans = state.withLock { s -> [ConfirmBatch] in
            s.driven = driven
            guard !driven else { return [] }
            defer { s.deadlines.removeAll() }
            return s.deadlines.values.map(\.batch)
        }
        for batch in orphans { batch.expire() }
    }

    /// Waits until the broker unblocks the connection, the connection fails or `deadline` passes.
    func waitWhileBlocked(until deadline: ContinuousClock.Instant) async -> BlockedWait {
        let id = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            state.withLock { $0.unblockWaiters.removeValue(forKey: id) }?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waits = state.withLock { s -> Bool in
                // Past the deadline the timer may already have run: do not wait for it again.
                guard s.blockedReason != nil, s.failure == nil, ContinuousClock.now < deadline else { return false }
                s.unblockWaiters[id] = continuation
                return true
            }
            if !waits { continuation.resume() }
        }
        timer.cancel()
        return state.withLock { s in
            if let failure = s.failure { return .failed(failure) }
            if let reason = s.blockedReason { return .stillBlocked(reason: reason) }
            return .unblocked
        }
    }

    // MARK: Channel epochs

    /// The channel's current life; bumped whenever the channel closes.
    func epoch(_ channel: UInt16) -> UInt64 { state.withLock { $0.epochs[channel, default: 0] } }

    func bumpEpoch(_ channel: UInt16) { state.withLock { $0.epochs[channel, default: 0] += 1 } }

    /// True while the connection is up and `channel` is still in the life `epoch`.
    func isLive(channel: UInt16, epoch: UInt64) -> Bool {
        state.withLock { $0.failure == nil && $0.epochs[channel, default: 0] == epoch }
    }

    // MARK: Confirm deadlines

    /// Registers a batch waiting for confirms, so `expireOverdue` fails it at `deadline`.
    /// False (nothing registered) when `run()` is not driving the connection: then nobody
    /// would read its confirms or watch its deadline, and the publisher must do both.
    func track(_ batch: ConfirmBatch, deadline: ContinuousClock.Instant) -> Bool {
        state.withLock { s in
            guard s.driven else { return false }
            s.deadlines[ObjectIdentifier(batch)] = (batch, deadline)
            return true
        }
    }

    func untrack(_ batch: ConfirmBatch) {
        _ = state.withLock { $0.deadlines.removeValue(forKey: ObjectIdentifier(batch)) }
    }

    /// Fails every tracked batch whose deadline has passed (called by the watchdog tick).
    func expireOverdue() {
        let now = ContinuousClock.now
        let overdue = state.withLock { s -> [ConfirmBatch] in
            guard !s.deadlines.isEmpty else { return [] }
            let due = s.deadlines.filter { $0.value.deadline <= now }
            for key in due.keys { s.deadlines.removeValue(forKey: key) }
            return due.values.map(\.batch)
        }
        for batch in overdue { batch.expire() }
    }

    // MARK: Write watchdog

    func setSocket(_ descriptor: Int32) { state.withLock { $0.socket = descriptor } }

    func beginWrite() {
        state.withLock {
            $0.writeStarted = .now
            $0.writeAborted = false
        }
    }

    func endWrite() { state.withLock { $0.writeStarted = nil } }

    /// Shuts the socket down when one write has been going on for longer than `limit`
    /// (rabbitmq-c's sockets are non-blocking and it retries a full send buffer for as long as
    /// the broker sends heartbeats, so SO_SNDTIMEO cannot bound it). True when it did.
    func abortStuckWrite(olderThan limit: Duration) -> Bool {
        state.withLock { s in
            guard let started = s.writeStarted, !s.writeAborted, s.socket >= 0,
                  ContinuousClock.now - started > limit
            else { return false }
            s.writeAborted = true
            shutdown(s.socket, Int32(SHUT_RDWR))
            return true
        }
    }
}
