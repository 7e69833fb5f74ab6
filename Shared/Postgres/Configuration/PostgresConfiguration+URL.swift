extension PostgresConfiguration {
    /// Parses `postgres://user:password@host:port/database?sslmode=…&connect_timeout=…&application_name=…&options=…`
    /// (also `postgresql://`). User, password, database and query values are percent-decoded;
    /// an IPv6 host goes in brackets. Errors name the faulty part, never the password.
    ///
    /// Timeouts: `statement_timeout`, `lock_timeout`, `query_timeout` and `tcp_user_timeout`
    /// take milliseconds or a number with the unit `ms`, `s` or `min` (`0` disables;
    /// `statement_timeout=default` and `lock_timeout=default` leave the role's setting). A
    /// `statement_timeout` without `query_timeout` moves the client deadline along with it
    /// (5 s beyond; none when disabled). Keepalives: `keepalives=0|1`, `keepalives_idle`,
    /// `keepalives_interval`, `keepalives_count` (seconds and a count, as in libpq).
    public init(url: String) throws(PostgresConfigurationError) {
        let schemes = ["postgres://", "postgresql://"]
        guard let scheme = schemes.first(where: { url.hasPrefix($0) }) else {
            throw PostgresConfigurationError("the URL must start with postgres:// or postgresql://")
        }
        var rest = Substring(url.dropFirst(scheme.count))

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") {
            rest = rest[..<hash]
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        // The user info ends at the last "@": an unencoded "@" in a password is common.
        var user: String?
        var password: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.percentDecoded(userInfo[..<colon], part: "user name")
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], part: "password")
            } else {
                user = try Self.percentDecoded(userInfo, part: "user name")
            }
        }

        let (host, port) = try Self.parseHostPort(hostPort)
        guard let user, !user.isEmpty else {
            throw PostgresConfigurationError("the URL has no user name")
        }
        let database = try Self.percentDecoded(path, part: "database name")
        guard !database.contains("/") else {
            throw PostgresConfigurationError("the database name must be a single path segment")
        }

        self.init(
            host: host, port: port, user: user, password: password,
            database: database.isEmpty ? user : database)
        try applyQuery(query)
    }

    private static func parseHostPort(_ text: Substring) throws(PostgresConfigurationError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw PostgresConfigurationError("an IPv6 host is missing its closing bracket")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw PostgresConfigurationError("unexpected characters after the IPv6 host")
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        if host.isEmpty { host = "localhost" }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:%".contains($0) }) else {
            throw PostgresConfigurationError("the host contains characters that are not allowed")
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw PostgresConfigurationError("the port must be a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    private mutating func applyQuery(_ query: Substring) throws(PostgresConfigurationError) {
        var queryTimeoutGiven = false
        var statementTimeoutGiven = false
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.percentDecoded(parts[0], part: "query parameter name")
            let value = try Self.percentDecoded(parts.count > 1 ? parts[1] : "", part: "query parameter \(key)")
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw PostgresConfigurationError(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw PostgresConfigurationError("connect_timeout must be a whole number of seconds")
                }
                connectTimeout = seconds
            case "application_name":
                applicationName = value
            case "options":
                options = value
            case "statement_timeout":
                statementTimeout = value == "default" ? nil : try Self.duration(value, key: key)
                statementTimeoutGiven = statementTimeout != nil
            case "lock_timeout":
                lockTimeout = value == "default" ? nil : try Self.duration(value, key: key)
            case "query_timeout":
                let timeout = try Self.duration(value, key: key)
                queryTimeout = timeout == .zero ? nil : timeout
                queryTimeoutGiven = true
            case "tcp_user_timeout":
                let timeout = try Self.duration(value, key: key)
                tcpUserTimeout = timeout == .zero ? nil : timeout
            case "keepalives":
                guard value == "0" || value == "1" else {
                    throw PostgresConfigurationError("keepalives must be 0 or 1")
                }
                keepalives = value == "1" ? (keepalives ?? Keepalives()) : nil
            case "keepalives_idle", "keepalives_interval", "keepalives_count":
                guard let number = Int(value), (1...86_400).contains(number) else {
                    throw PostgresConfigurationError("\(key) must be a whole number from 1 to 86400")
                }
                var settings = keepalives ?? Keepalives()
                switch key {
                case "keepalives_idle": settings.idle = number
                case "keepalives_interval": settings.interval = number
                default: settings.count = number
                }
                keepalives = settings
            default:
                throw PostgresConfigurationError(
                    "unsupported query parameter '\(key)' (known: \(Self.queryParameters.joined(separator: ", ")))")
            }
        }
        // The client deadline follows an explicit statement timeout unless it was set too.
        if statementTimeoutGiven, !queryTimeoutGiven, let statementTimeout {
            queryTimeout = statementTimeout == .zero ? nil : statementTimeout + Defaults.queryTimeoutMargin
        }
    }

    private static let queryParameters = [
        "sslmode", "connect_timeout", "application_name", "options", "statement_timeout", "lock_timeout",
        "query_timeout", "tcp_user_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    ]

    /// `1500`, `1500ms`, `30s` or `2min`: a whole, non-negative number of milliseconds,
    /// seconds or minutes, up to a day.
    private static func duration(_ text: String, key: String) throws(PostgresConfigurationError) -> Duration {
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("min", 60_000), ("s", 1000), ("", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Int64(text.dropLast(unit.suffix.count)), number >= 0,
                  number <= 86_400_000 / unit.milliseconds
            else { break }
            return .milliseconds(number * unit.milliseconds)
        }
        throw PostgresConfigurationError(
            "\(key) must be a whole number of milliseconds, or a number followed by ms, s or min (at most a day)")
    }

    /// Decodes `%XX` escapes; the result must be valid UTF-8 without NUL (libpq takes C strings).
    static func percentDecoded(_ text: Substring, part: String) throws(PostgresConfigurationError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(HexDigit.value), let low = iterator.next().flatMap(HexDigit.value) else {
                throw PostgresConfigurationError("the \(part) has an invalid percent escape")
            }
            bytes.append(high << 4 | low)
        }
        guard !bytes.contains(0) else {
            throw PostgresConfigurationError("the \(part) contains a NUL byte")
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PostgresConfigurationError("the \(part) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }
}
