/// Where and how to connect to PostgreSQL.
///
/// Build it from a `postgres://` URL with ``init(url:)`` or field by field. ``description``
/// never shows the password, so a configuration may be logged.
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
        preparedStatementCacheSize: Int = 256
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
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// A URL-like summary with the password replaced by `<redacted>`.
    public var description: String {
        let secret = password == nil ? "" : ":<redacted>"
        var text = "postgres://\(user)\(secret)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        text += "&connect_timeout=\(connectTimeout)"
        if let applicationName { text += "&application_name=\(applicationName)" }
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
