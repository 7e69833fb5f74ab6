/// Where and how to connect to PostgreSQL.
///
/// Build it from a `postgres://` URL with ``init(url:)`` or field by field. ``description``
/// never shows the password, so a configuration may be logged.
///
/// The defaults suit a service: nothing waits forever. The server ends a statement after
/// ``statementTimeout`` and a lock wait after ``lockTimeout``; the client gives up on a
/// statement after ``queryTimeout`` (a backstop for a backend that no longer answers); TCP
/// keepalives and ``tcpUserTimeout`` notice a peer that vanished from the network.
public struct PostgresConfiguration: Sendable, Hashable {
    /// libpq's `sslmode`.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable
        case allow
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Host name or IP address (TCP only).
    public var host: String
    /// TCP port, 5432 by default.
    public var port: Int
    /// Role to log in as.
    public var user: String
    /// Password, if the server asks for one. Never printed.
    public var password: String?
    /// Database name.
    public var database: String
    /// Seconds libpq waits for the whole connection set-up (libpq treats values below 2 as 2).
    public var connectTimeout: Int
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String?
    /// TLS policy; `prefer` is libpq's default.
    public var sslMode: SSLMode
    /// Extra server options, e.g. `-c search_path=planning`. Appended after the session
    /// settings this wrapper always sends (UTC time zone, ISO dates, hex bytea), so the
    /// decoders can rely on those formats.
    public var options: String?
    /// How many prepared statements each connection keeps; 0 disables the cache and sends
    /// every query with `PQexecParams`.
    public var preparedStatementCacheSize: Int
    /// The server's `statement_timeout` for this connection's session (sent as an option;
    /// zero disables it); `nil` leaves the role's or database's setting.
    public var statementTimeout: Duration?
    /// The server's `lock_timeout` for the session (zero disables it); `nil` leaves the
    /// role's or database's setting.
    public var lockTimeout: Duration?
    /// Client-side deadline of one statement: past it, the statement is cancelled
    /// (`PQcancel`) and, if the server does not answer within ``cancelGracePeriod``, the
    /// connection is abandoned and ``PostgresError/Code/clientTimeout`` thrown. Keep it a few
    /// seconds above ``statementTimeout`` so the server's own timeout normally comes first;
    /// `nil` waits as long as the server takes.
    public var queryTimeout: Duration?
    /// How long a cancelled statement (deadline or task cancellation) may take to end before
    /// its connection is abandoned.
    public var cancelGracePeriod: Duration
    /// TCP keepalive settings (libpq's `keepalives*`); `nil` leaves them off.
    public var keepalives: Keepalives?
    /// libpq's `tcp_user_timeout`: how long sent data may stay unacknowledged before the
    /// kernel drops the connection; `nil` keeps the system default.
    public var tcpUserTimeout: Duration?

    /// TCP keepalive probing of an idle connection.
    public struct Keepalives: Sendable, Hashable {
        /// Idle time before the first probe (whole seconds, at least 1).
        public var idle: Int
        /// Time between unanswered probes (whole seconds, at least 1).
        public var interval: Int
        /// Unanswered probes before the connection is considered dead (at least 1).
        public var count: Int

        /// Probes after `idle` seconds, every `interval` seconds, `count` times.
        public init(idle: Int = 30, interval: Int = 10, count: Int = 3) {
            self.idle = idle
            self.interval = interval
            self.count = count
        }
    }

    /// The defaults of the timeout settings, chosen for services.
    public enum Defaults {
        /// `statement_timeout`: 30 s.
        public static let statementTimeout = Duration.seconds(30)
        /// `lock_timeout`: 10 s.
        public static let lockTimeout = Duration.seconds(10)
        /// How far ``PostgresConfiguration/queryTimeout`` lies beyond the statement timeout: 5 s.
        public static let queryTimeoutMargin = Duration.seconds(5)
        /// ``PostgresConfiguration/cancelGracePeriod``: 1 s.
        public static let cancelGracePeriod = Duration.seconds(1)
        /// `tcp_user_timeout`: 30 s.
        public static let tcpUserTimeout = Duration.seconds(30)
    }

    /// Creates a configuration from its parts.
    public init(
        host: String = "localhost",
        port: Int = 5432,
        user: String,
        password: String? = nil,
        database: String,
        connectTimeout: Int = 5,
        applicationName: String? = nil,
        sslMode: SSLMode = .prefer,
        options: String? = nil,
        preparedStatementCacheSize: Int = 256,
        statementTimeout: Duration? = Defaults.statementTimeout,
        lockTimeout: Duration? = Defaults.lockTimeout,
        queryTimeout: Duration? = Defaults.statementTimeout + Defaults.queryTimeoutMargin,
        cancelGracePeriod: Duration = Defaults.cancelGracePeriod,
        keepalives: Keepalives? = Keepalives(),
        tcpUserTimeout: Duration? = Defaults.tcpUserTimeout
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.sslMode = sslMode
        self.options = options
        self.preparedStatementCacheSize = preparedStatementCacheSize
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.queryTimeout = queryTimeout
        self.cancelGracePeriod = cancelGracePeriod
        self.keepalives = keepalives
        self.tcpUserTimeout = tcpUserTimeout
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// A URL-like summary with the password replaced by `<redacted>`.
    public var description: String {
        let secret = password == nil ? "" : ":<redacted>"
        var text = "postgres://\(user)\(secret)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        text += "&connect_timeout=\(connectTimeout)"
        if let applicationName { text += "&application_name=\(applicationName)" }
        if let statementTimeout { text += "&statement_timeout=\(statementTimeout.milliseconds)" }
        if let lockTimeout { text += "&lock_timeout=\(lockTimeout.milliseconds)" }
        text += "&query_timeout=\(queryTimeout?.milliseconds ?? 0)"
        if let keepalives {
            text += "&keepalives=1&keepalives_idle=\(keepalives.idle)"
            text += "&keepalives_interval=\(keepalives.interval)&keepalives_count=\(keepalives.count)"
        } else {
            text += "&keepalives=0"
        }
        if let tcpUserTimeout { text += "&tcp_user_timeout=\(tcpUserTimeout.milliseconds)" }
        if let options { text += "&options=\(options)" }
        return text
    }
}

extension PostgresConfiguration: CustomReflectable {
    /// Keeps the password out of `dump()` and debugger output.
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
