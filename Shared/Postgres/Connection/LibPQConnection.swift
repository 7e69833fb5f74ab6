import CLibPQ

/// Owns one `PGconn*` and the state that belongs to it (the prepared-statement cache).
///
/// Not Sendable on purpose: an instance lives inside one ``PostgresConnection`` actor and is
/// only touched from that actor's serial executor, because a libpq connection must not be
/// used from two threads at once. `deinit` calls `PQfinish`, also after a failed connect
/// (libpq allocates the `PGconn` even then).
///
/// The socket is in non-blocking mode: statements are sent with libpq's asynchronous API and
/// their results awaited with `poll()` in short slices, so a statement ends at its deadline
/// or on task cancellation even when the server stops answering (see `exchange`).
final class LibPQConnection {
    /// The `PGconn*`; valid until `deinit`.
    let pointer: OpaquePointer
    /// Secrets to scrub from any message libpq or the server produces.
    let secrets: [String]
    var statements: PreparedStatementCache
    /// Set when the server sent a FATAL message outside a query (e.g. `pg_terminate_backend`
    /// on an idle connection): the backend is exiting even if the socket is still open.
    var receivedFatal = false
    /// Set when a statement was given up on (deadline or cancellation) without the server
    /// confirming its end: the session's state is unknown, so the connection must never be
    /// used again.
    var isAbandoned = false
    /// Names of prepared statements evicted from the cache, deallocated on the server the
    /// next time the connection is outside a transaction (never inside the caller's).
    var pendingDeallocations: [String] = []
    /// Client-side deadline of one statement in nanoseconds; `nil` waits as long as the
    /// server takes.
    let queryTimeoutNanoseconds: UInt64?
    /// How long (nanoseconds) a cancelled statement may take to end before the connection
    /// is abandoned.
    let cancelGraceNanoseconds: UInt64

    private init(pointer: OpaquePointer, secrets: [String], configuration: PostgresConfiguration) {
        self.pointer = pointer
        self.secrets = secrets
        self.statements = PreparedStatementCache(capacity: configuration.preparedStatementCacheSize)
        self.queryTimeoutNanoseconds = configuration.queryTimeout.map(MonotonicTime.nanoseconds)
        self.cancelGraceNanoseconds = MonotonicTime.nanoseconds(configuration.cancelGracePeriod)
    }

    deinit {
        PQfinish(pointer)
    }

    /// Session settings the decoders rely on: UTC, ISO dates, hex bytea, exact floats.
    static let sessionOptions =
        "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c bytea_output=hex -c extra_float_digits=3"

    /// The keyword/value pairs given to `PQconnectdbParams`: the configuration's connection
    /// settings, TCP keepalives and user timeout, and the session options (decoder formats,
    /// then the statement and lock timeouts, then the caller's own options, which win).
    static func connectionParameters(_ configuration: PostgresConfiguration) -> [(String, String)] {
        var options = [sessionOptions]
        if let statementTimeout = configuration.statementTimeout {
            options.append("-c statement_timeout=\(statementTimeout.milliseconds)")
        }
        if let lockTimeout = configuration.lockTimeout {
            options.append("-c lock_timeout=\(lockTimeout.milliseconds)")
        }
        if let extra = configuration.options { options.append(extra) }
        var parameters: [(String, String)] = [
            ("host", configuration.host),
            ("port", String(configuration.port)),
            ("user", configuration.user),
            ("dbname", configuration.database),
            ("connect_timeout", String(configuration.connectTimeout)),
            ("sslmode", configuration.sslMode.rawValue),
            ("client_encoding", "UTF8"),
            ("options", options.joined(separator: " ")),
        ]
        if let keepalives = configuration.keepalives {
            parameters += [
                ("keepalives", "1"),
                ("keepalives_idle", String(keepalives.idle)),
                ("keepalives_interval", String(keepalives.interval)),
                ("keepalives_count", String(keepalives.count)),
            ]
        } else {
            parameters.append(("keepalives", "0"))
        }
        if let tcpUserTimeout = configuration.tcpUserTimeout {
            parameters.append(("tcp_user_timeout", String(tcpUserTimeout.milliseconds)))
        }
        if let applicationName = configuration.applicationName {
            parameters.append(("application_name", applicationName))
        }
        if let password = configuration.password {
            parameters.append(("password", password))
        }
        return parameters
    }

    /// Connects with `PQconnectdbParams` (keyword/value arrays, `expand_dbname = 0`, so no
    /// value is ever parsed as a connection string). Blocks for up to `connectTimeout`.
    static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> LibPQConnection {
        let parameters = connectionParameters(configuration)
        let secrets = [configuration.password].compactMap { $0 }.filter { !$0.isEmpty }
        guard parameters.allSatisfy({ !$0.1.utf8.contains(0) }) else {
            throw PostgresError(
                code: .connectionFailure, message: "a connection parameter contains a NUL byte",
                connectionFailure: .other)
        }

        let pointer = CStringArray.with(parameters.map(\.0)) { keywords in
            CStringArray.with(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let pointer else {
            throw PostgresError(
                code: .connectionFailure, message: "libpq could not allocate a connection", connectionFailure: .other)
        }
        // Owned from here on: any throw below frees it through deinit.
        let connection = LibPQConnection(pointer: pointer, secrets: secrets, configuration: configuration)
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = connection.errorMessage()
            throw PostgresError(
                code: .connectionFailure, message: message, connectionFailure: Self.classify(message))
        }
        // Sends never block (a server that stopped reading cannot hold the executor), and
        // PQfinish of an abandoned connection does not wait either.
        guard PQsetnonblocking(pointer, 1) == 0 else {
            throw PostgresError(
                code: .connectionFailure, message: connection.errorMessage(), connectionFailure: .other)
        }
        connection.installNoticeReceiver()
        return connection
    }

    /// Replaces libpq's default notice handling, which prints to stderr (e.g. "schema already
    /// exists, skipping"). Notices are dropped, except that a FATAL one marks the connection
    /// dead: libpq reports a backend's termination message received while idle as a notice.
    ///
    /// The context pointer is unretained: `self` owns the `PGconn` and frees it in `deinit`,
    /// so libpq can only call the receiver while `self` is alive, on the owning executor.
    private func installNoticeReceiver() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        PQsetNoticeReceiver(pointer, { context, result in
            guard let context, let result,
                  let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V")))
            else { return }
            let level = String(cString: severity)
            if level == "FATAL" || level == "PANIC" {
                Unmanaged<LibPQConnection>.fromOpaque(context).takeUnretainedValue().receivedFatal = true
            }
        }, context)
    }

    /// libpq's last error message for this connection, one line, secrets scrubbed.
    func errorMessage() -> String {
        guard let raw = PQerrorMessage(pointer) else { return "unknown libpq error" }
        return scrub(String(cString: raw))
    }

    /// Collapses libpq's multi-line messages and removes every secret.
    func scrub(_ message: String) -> String {
        var text = message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        for secret in secrets {
            text = text.replacing(secret, with: "<redacted>")
        }
        return text.isEmpty ? "unknown libpq error" : text
    }

    private static func classify(_ message: String) -> PostgresError.ConnectionFailure {
        let lower = message.lowercased()
        if lower.contains("timeout expired") || lower.contains("timed out") { return .timedOut }
        if lower.contains("connection refused") { return .refused }
        if lower.contains("authentication failed") || lower.contains("no password supplied")
            || lower.contains("password is required") || lower.contains("no pg_hba.conf entry")
        {
            return .authenticationFailed
        }
        if lower.contains("could not translate host name") || lower.contains("network is unreachable")
            || lower.contains("no route to host") || lower.contains("name or service not known")
        {
            return .unreachable
        }
        if lower.contains("database") && lower.contains("does not exist") { return .databaseNotFound }
        return .other
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return slice
    }
}
