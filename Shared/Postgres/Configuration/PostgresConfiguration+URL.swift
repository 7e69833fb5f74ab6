extension PostgresConfiguration {
    /// Parses `postgres://user:password@host:port/database?sslmode=…&connect_timeout=…&application_name=…&options=…`
    /// (also `postgresql://`). User, password, database and query values are percent-decoded;
    /// an IPv6 host goes in brackets. Errors name the faulty part, never the password.
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
            default:
                throw PostgresConfigurationError(
                    "unsupported query parameter '\(key)' (known: sslmode, connect_timeout, application_name, options)")
            }
        }
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
