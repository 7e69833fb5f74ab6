import CLibPQ
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One statement's round trip with libpq's asynchronous API, on the connection's executor.
///
/// - The statement is sent (`PQsend…`), flushed, and its results read as they arrive:
///   `poll()` runs only while libpq has no complete result, in slices of at most
///   ``pollSliceMilliseconds``, so a fast statement makes the system calls `PQexec…` makes
///   (send, poll, read).
/// - After each slice without a result, the deadline (``PostgresConfiguration/queryTimeout``
///   from the send) and, for a cancellable statement, the task's cancellation are checked. A
///   statement finishing within its first slice is never interrupted, so clean-up statements
///   of a cancelled task still run.
/// - On either, `PQcancel` is sent from another thread (it blocks on its own connection to the
///   server) and the result awaited for ``PostgresConfiguration/cancelGracePeriod``. If the result
///   comes and the cancel request was delivered, the connection stays usable; otherwise the
///   connection is marked abandoned (a frozen backend, or a cancel that could still hit a
///   later statement) and never used again.
/// - The caller gets ``PostgresError/Code/clientTimeout`` or ``PostgresError/Code/taskCancelled``,
///   unless the statement completed anyway, in which case its result is returned.
extension LibPQConnection {
    /// The longest single `poll()` in milliseconds; bounds how late a task's cancellation is noticed.
    static let pollSliceMilliseconds: Int32 = 100

    /// Why a statement was interrupted.
    enum Interruption {
        case deadline, cancelled

        var code: PostgresError.Code {
            switch self {
            case .deadline: .clientTimeout
            case .cancelled: .taskCancelled
            }
        }

        var reason: String {
            switch self {
            case .deadline: "the statement did not finish within the client deadline (query_timeout)"
            case .cancelled: "the calling task was cancelled while the statement ran"
            }
        }
    }

    /// A cancel request in flight: why, until when its end is awaited, and a signal raised
    /// once `PQcancel` returned (the server has taken the request).
    struct PendingCancel {
        let interruption: Interruption
        /// ``MonotonicTime`` nanoseconds.
        let graceEnd: UInt64
        let delivered: DispatchSemaphore
    }

    /// Sends one command with `send` (a `PQsend…` call returning 1 on success) and returns
    /// its last result, as `PQexec` would (the caller frees it). `binds` only serve to redact
    /// error messages; `cancellable: false` ignores task cancellation (for `ROLLBACK`), the
    /// deadline still applies.
    func exchange(
        binds: [PostgresBind], cancellable: Bool = true, _ send: () -> Int32
    ) throws(PostgresError) -> OpaquePointer {
        guard !isAbandoned else { throw Self.abandonedError }
        guard send() == 1 else { throw makeError(nil, binds: binds) }
        let deadline = queryTimeoutNanoseconds.map { MonotonicTime.adding($0, to: MonotonicTime.now()) }
        var cancel: PendingCancel?
        var last: OpaquePointer?
        do throws(PostgresError) {
            var needsFlush = true
            while true {
                try awaitResult(needsFlush: needsFlush, deadline: deadline, cancellable: cancellable, cancel: &cancel)
                needsFlush = false
                guard let result = PQgetResult(pointer) else { break }
                if let last { PQclear(last) }
                last = result
                let status = PQresultStatus(result)
                if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
                    || PQstatus(pointer) == CONNECTION_BAD
                {
                    break
                }
            }
            guard let result = last else { throw makeError(nil, binds: binds) }
            if let cancel {
                try settle(cancel, result: result)
            }
            return result
        } catch {
            if let last { PQclear(last) }
            throw error
        }
    }

    /// Reads (and flushes) until libpq holds a complete result, honouring the deadline and
    /// cancellation as described on the extension.
    func awaitResult(
        needsFlush: Bool, deadline: UInt64?, cancellable: Bool, cancel: inout PendingCancel?
    ) throws(PostgresError) {
        var flushing = needsFlush
        while true {
            if flushing {
                let flushed = PQflush(pointer)
                guard flushed >= 0 else { throw connectionLostError() }
                flushing = flushed == 1
            }
            if !flushing && PQisBusy(pointer) == 0 { return }

            switch pollSocket(writing: flushing, timeoutMilliseconds: Self.sliceMilliseconds(until: cancel?.graceEnd ?? deadline)) {
            case .failed:
                throw PostgresError(code: .connectionLost, message: "the connection's socket is no longer usable")
            case .readable:
                guard PQconsumeInput(pointer) == 1 else { throw connectionLostError() }
                if !flushing && PQisBusy(pointer) == 0 { return }
            case .writable, .timeout:
                break
            }

            let now = MonotonicTime.now()
            if let pending = cancel {
                if now >= pending.graceEnd { throw abandon(pending.interruption) }
            } else if let deadline, now >= deadline {
                cancel = requestCancel(.deadline, now: now)
            } else if cancellable && Task.isCancelled {
                cancel = requestCancel(.cancelled, now: now)
            }
        }
    }

    /// After an interrupted statement's result arrived: keeps the connection only if the
    /// cancel request was delivered within the grace period (a late one could cancel a later
    /// statement), and turns the server's "canceling statement" error into the interruption's.
    private func settle(_ cancel: PendingCancel, result: OpaquePointer) throws(PostgresError) {
        let now = MonotonicTime.now()
        let remaining = cancel.graceEnd > now ? cancel.graceEnd - now : 0
        if cancel.delivered.wait(timeout: .now() + .nanoseconds(Int(clamping: remaining))) == .timedOut {
            isAbandoned = true
        }
        let status = PQresultStatus(result)
        guard status == PGRES_FATAL_ERROR,
              let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))),
              String(cString: state) == "57014"
        else { return }  // finished (or failed) on its own: report what happened
        throw PostgresError(
            code: cancel.interruption.code, sqlState: "57014",
            message: "\(cancel.interruption.reason); the statement was cancelled")
    }

    /// Sends `PQcancel` from a thread of its own: it opens its own connection to the server
    /// and waits for the server to take the request, which can block for as long as the
    /// server is unresponsive, so it must hold neither this connection's executor nor a
    /// thread of the width-limited global queues (a fresh serial queue gets its own thread).
    private func requestCancel(_ interruption: Interruption, now: UInt64) -> PendingCancel {
        let delivered = DispatchSemaphore(value: 0)
        // The PGcancel object is independent of the connection and owned by the thread below
        // from here on, which frees it; it crosses as an address because OpaquePointer is not
        // Sendable.
        let address = UInt(bitPattern: PQgetCancel(pointer))
        DispatchQueue(label: "shipboard.postgres.cancel").async {
            if let request = OpaquePointer(bitPattern: address) {
                var message = [CChar](repeating: 0, count: 256)
                if PQcancel(request, &message, Int32(message.count)) == 1 {
                    delivered.signal()
                }
                PQfreeCancel(request)
            }
        }
        return PendingCancel(
            interruption: interruption, graceEnd: MonotonicTime.adding(cancelGraceNanoseconds, to: now), delivered: delivered)
    }

    /// Gives up on the connection: its statement may still be running and the server's
    /// state is unknown. The owner drops it, which closes the socket without waiting.
    private func abandon(_ interruption: Interruption) -> PostgresError {
        isAbandoned = true
        return PostgresError(
            code: interruption.code,
            message: "\(interruption.reason); the server did not answer the cancel request, so the connection was abandoned")
    }

    static var abandonedError: PostgresError {
        PostgresError(code: .connectionLost, message: "the connection was abandoned after an unanswered statement")
    }

    enum SocketReadiness {
        case readable, writable, timeout, failed
    }

    /// How long the next `poll()` may wait: a slice, or less when `limit` (``MonotonicTime``
    /// nanoseconds; `nil` for none) comes sooner, rounded up to whole milliseconds.
    private static func sliceMilliseconds(until limit: UInt64?) -> Int32 {
        guard let limit else { return pollSliceMilliseconds }
        let now = MonotonicTime.now()
        guard limit > now else { return 0 }
        let remaining = limit - now
        guard remaining < UInt64(pollSliceMilliseconds) * 1_000_000 else { return pollSliceMilliseconds }
        return Int32((remaining + 999_999) / 1_000_000)
    }

    /// One `poll()` on the socket for input, and for output too while `writing`; retries on
    /// EINTR. An error or hang-up counts as readable: reading reports it.
    private func pollSocket(writing: Bool, timeoutMilliseconds: Int32) -> SocketReadiness {
        let socket = PQsocket(pointer)
        guard socket >= 0 else { return .failed }
        let events = Int16(POLLIN) | (writing ? Int16(POLLOUT) : 0)
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready > 0 {
                return descriptor.revents & ~Int16(POLLOUT) != 0 ? .readable : .writable
            }
            if ready == 0 { return .timeout }
            if errno != EINTR { return .failed }
        }
    }
}
