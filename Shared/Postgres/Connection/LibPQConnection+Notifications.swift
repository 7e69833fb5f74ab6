import CLibPQ

extension LibPQConnection {
    /// Notifications libpq has already read, each freed with `PQfreemem`.
    func takeNotifications() -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(pointer) {
            defer { PQfreemem(notify) }
            notifications.append(
                PostgresNotification(
                    channel: notify.pointee.relname.map { String(cString: $0) } ?? "",
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    senderPID: notify.pointee.be_pid))
        }
        return notifications
    }

    /// Waits up to `timeoutMilliseconds` for the server to send something, reads it, and
    /// returns the notifications received. Blocks the calling thread (the connection's own
    /// executor). Throws ``PostgresError/Code/connectionLost`` when the connection is gone.
    func waitForNotifications(timeoutMilliseconds: Int32) throws(PostgresError) -> [PostgresNotification] {
        guard !receivedFatal else {
            throw PostgresError(code: .connectionLost, message: "the server closed the session (FATAL)")
        }
        guard PQconsumeInput(pointer) == 1 else { throw connectionLostError() }
        let pending = takeNotifications()
        guard pending.isEmpty else { return pending }
        switch pollReadable(timeoutMilliseconds: timeoutMilliseconds) {
        case .timeout:
            return []
        case .failed:
            throw PostgresError(code: .connectionLost, message: "the connection's socket is no longer usable")
        case .readable:
            guard PQconsumeInput(pointer) == 1, PQstatus(pointer) == CONNECTION_OK else {
                throw connectionLostError()
            }
            // Parsing may also report a FATAL message; the next call then throws, so the
            // notifications that arrived before it are still delivered.
            return takeNotifications()
        }
    }

    /// libpq's message, classified as a lost connection whatever the status says.
    func connectionLostError() -> PostgresError {
        PostgresError(code: .connectionLost, message: errorMessage())
    }
}
