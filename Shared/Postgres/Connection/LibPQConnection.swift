import CLibPQ

/// Owns one `PGconn*` and the state that belongs to it (the prepared-statement cache).
///
/// Not Sendable on purpose: an instance lives inside one ``PostgresConnection`` actor and is
/// only touched from that actor's serial executor, because a libpq connection must not be
/// used from two threads at once. `deinit` calls `PQfinish`, also after a failed connect
/// (libpq allocates the `PGconn` even then).
final class LibPQConnection {
    /// The `PGconn*`; valid until `deinit`.
    let pointer: OpaquePointer
    /// Secrets to scrub from any message libpq or the server produces.
    let secrets: [String]
    var statements: PreparedStatementCache
    /// Set when the server sent a FATAL message outside a query (e.g. `pg_terminate_backend`
    /// on an idle connection): the backend is exiting even if the socket is still open.
    var receivedFatal = false

    private init(pointer: OpaquePointer, secrets: [String], cacheCapacity: Int) {
        self.pointer = pointer
        self.secrets = secrets
        self.statements = PreparedStatementCache(capacity: cacheCapacity)
    }

    deinit {
        PQfinish(pointer)
    }

    /// Session settings the decoders rely on: UTC, ISO dates, hex bytea, exact floats.
    static let sessionOptions =
        "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c bytea_output=hex -c extra_float_digits=3"

    /// Connects with `PQconnectdbParams` (keyword/value arrays, `expand_dbname = 0`, so no
    /// value is ever parsed as a connection string). Blocks for up to `connectTimeout`.
    static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> LibPQConnection {
        var parameters: [(String, String)] = [
            ("host", configuration.host),
            ("port", String(configuration.port)),
            ("user", configuration.user),
            ("dbname", configuration.database),
            ("connect_timeout", String(configuration.connectTimeout)),
            ("sslmode", configuration.sslMode.rawValue),
            ("client_encoding", "UTF8"),
            ("options", [sessionOptions, configuration.options].compactMap { $0 }.joined(separator: " ")),
        ]
        if let applicationName = configuration.applicationName {
            parameters.append(("application_name", applicationName))
        }
        if let password = configuration.password {
            parameters.append(("password", password))
        }
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
        let connection = LibPQConnection(
            pointer: pointer, secrets: secrets, cacheCapacity: configuration.preparedStatementCacheSize)
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = connection.errorMessage()
            throw PostgresError(
                code: .connectionFailure, message: message, connectionFailure: Self.classify(message))
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
