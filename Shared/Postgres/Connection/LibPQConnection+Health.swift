import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LibPQConnection {
    /// Whether this idle connection can take a query, without blocking: the socket is read
    /// if the server sent anything (a backend killed by `pg_terminate_backend` sends a FATAL
    /// message, then closes), so a dead backend shows up here rather than on the next query.
    func isReusable() -> Bool {
        guard isIdle else { return false }
        // A few rounds: the FATAL message and the end of stream may arrive separately.
        for _ in 0..<4 {
            switch pollReadable(timeoutMilliseconds: 0) {
            case .failed: return false
            case .timeout: return isIdle
            case .readable:
                guard PQconsumeInput(pointer) == 1 else { return false }
                _ = PQisBusy(pointer)  // parses what arrived; a FATAL message sets receivedFatal
                guard isIdle else { return false }
            }
        }
        return isIdle
    }

    /// Connected, outside any transaction, and not told by the server that it is going away.
    /// Reads libpq's state only.
    var isIdle: Bool {
        !receivedFatal && !isAbandoned && PQstatus(pointer) == CONNECTION_OK && PQtransactionStatus(pointer) == PQTRANS_IDLE
    }

    enum PollOutcome {
        case readable, timeout, failed
    }

    /// `poll()` on the connection's socket; retries on EINTR.
    func pollReadable(timeoutMilliseconds: Int32) -> PollOutcome {
        let socket = PQsocket(pointer)
        guard socket >= 0 else { return .failed }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready > 0 { return .readable }  // POLLHUP/POLLERR too: reading reports them
            if ready == 0 { return .timeout }
            if errno != EINTR { return .failed }
        }
    }
}
