import Foundation

/// Where and how to connect to RabbitMQ, parsed from an `amqp://` or `amqps://` URL.
///
/// `amqp://user:password@host:port/vhost?heartbeat=10&connection_timeout=5`
/// - User and password are required and percent-decoded exactly once (a password with `%`,
///   `@`, `:` or `/` is written percent-encoded); there is no silent `guest` fallback.
/// - The vhost is percent-decoded; an empty path means `/`.
/// - Query parameters: `heartbeat`, `connection_timeout`, `rpc_timeout`, `write_timeout`
///   (seconds), `max_message_size` (bytes), `channel_max`, `name`; for `amqps://` (rabbitmq-c's
///   TLS socket) `cacertfile`, `certfile`, `keyfile` and `verify=false`.
/// - Never shows the password: not in `description`, not through `dump` or reflection.
public struct AMQPConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var virtualHost: String
    /// Heartbeat interval in seconds negotiated with the broker (0 disables heartbeats).
    public var heartbeat: Int
    /// Seconds allowed for TCP connect plus the AMQP handshake.
    public var connectionTimeout: Int
    /// Seconds a synchronous broker RPC (declare, bind, qos, ...) may take.
    public var rpcTimeout: Int
    /// Seconds one publish may spend writing to the socket before the connection is torn
    /// down: a broker that stopped reading (a resource alarm) must not hold a writer forever.
    public var writeTimeout: Int
    /// The largest message body published or accepted, in bytes. A larger publish fails with
    /// `invalidArgument` before touching the socket; a larger delivery is rejected without
    /// requeue (to the queue's dead-letter route).
    public var maxMessageSize: Int
    /// Channel-max asked for at login (0: the broker's limit). Consumer channels are reused
    /// and always stay below the negotiated value.
    public var channelMax: Int
    public var tls: TLS?
    /// Shown in the broker's connection list.
    public var connectionName: String

    /// 16 MiB: far above any Shipboard message, far below the broker's 128 MiB.
    public static let defaultMaxMessageSize = 16 * 1024 * 1024

    /// TLS settings for `amqps://`.
    public struct TLS: Sendable {
        public var caCertificateFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        public var verifyPeer: Bool
    }

    public init(
        host: String = "127.0.0.1", port: Int = 5672, user: String = "guest",
        password: String = "guest", virtualHost: String = "/", heartbeat: Int = 10,
        connectionTimeout: Int = 5, rpcTimeout: Int = 15, writeTimeout: Int = 15,
        maxMessageSize: Int = AMQPConfiguration.defaultMaxMessageSize, channelMax: Int = 0,
        tls: TLS? = nil, connectionName: String = "shipboard"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeat = heartbeat
        self.connectionTimeout = connectionTimeout
        self.rpcTimeout = rpcTimeout
        self.writeTimeout = writeTimeout
        self.maxMessageSize = maxMessageSize
        self.channelMax = channelMax
        self.tls = tls
        self.connectionName = connectionName
    }

    /// Parses an AMQP URL. Errors name what is wrong but never echo the URL (it may hold a password).
    public init(url: String) throws(AMQPError) {
        guard let components = URLComponents(string: url) else {
            throw AMQPError.invalidConfiguration("AMQP URL is not a valid URL")
        }
        let scheme = components.scheme?.lowercased()
        guard scheme == "amqp" || scheme == "amqps" else {
            throw AMQPError.invalidConfiguration("AMQP URL must start with amqp:// or amqps://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw AMQPError.invalidConfiguration("AMQP URL has no host")
        }
        self.init()
        self.host = host
        self.port = components.port ?? (scheme == "amqps" ? 5671 : 5672)
        // Credentials come from the URL text itself, decoded once here: `components.user` is
        // already decoded (decoding it again corrupts `a%25b`, which is `a%b`), and Foundation
        // silently repairs malformed escapes such as `%zz`, which must be an error instead.
        let (user, password) = try Self.credentials(in: url)
        self.user = user
        self.password = password
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.virtualHost = "/"
        } else {
            guard let vhost = String(path.dropFirst()).removingPercentEncoding else {
                throw AMQPError.invalidConfiguration("AMQP URL has a malformed vhost")
            }
            self.virtualHost = vhost
        }
        var tls: TLS? = scheme == "amqps" ? TLS(verifyPeer: true) : nil
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "heartbeat": self.heartbeat = try Self.integer(value, name: "heartbeat", range: 0...3600)
            case "connection_timeout": self.connectionTimeout = try Self.integer(value, name: "connection_timeout", range: 1...600)
            case "rpc_timeout": self.rpcTimeout = try Self.integer(value, name: "rpc_timeout", range: 1...600)
            case "write_timeout": self.writeTimeout = try Self.integer(value, name: "write_timeout", range: 1...600)
            case "max_message_size":
                self.maxMessageSize = try Self.integer(value, name: "max_message_size", range: 1...(512 * 1024 * 1024))
            case "channel_max": self.channelMax = try Self.integer(value, name: "channel_max", range: 0...65535)
            case "name": self.connectionName = value
            case "cacertfile": tls?.caCertificateFile = value
            case "certfile": tls?.certificateFile = value
            case "keyfile": tls?.keyFile = value
            case "verify": tls?.verifyPeer = !(value == "false" || value == "0" || value == "verify_none")
            default:
                throw AMQPError.invalidConfiguration("AMQP URL has an unknown query parameter '\(item.name)'")
            }
        }
        self.tls = tls
    }

    /// User and password of `url`'s authority, each percent-decoded exactly once.
    private static func credentials(in url: String) throws(AMQPError) -> (String, String) {
        let missing = AMQPError.invalidConfiguration("AMQP URL has no user and password (amqp://user:password@host/vhost)")
        guard let schemeEnd = url.range(of: "://") else { throw missing }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { throw missing }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":"), colon != userInfo.startIndex else { throw missing }
        return (try decodeOnce(userInfo[..<colon]), try decodeOnce(userInfo[userInfo.index(after: colon)...]))
    }

    /// Percent-decodes `encoded`; an escape that is not `%` and two hex digits is an error.
    private static func decodeOnce(_ encoded: Substring) throws(AMQPError) -> String {
        let malformed = AMQPError.invalidConfiguration("AMQP URL has malformed percent-encoding in its user or password")
        let bytes = Array(encoded.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                index += 1
                continue
            }
            guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else { throw malformed }
            index += 3
        }
        guard let decoded = String(encoded).removingPercentEncoding else { throw malformed }
        return decoded
    }

    private static func integer(_ text: String, name: String, range: ClosedRange<Int>) throws(AMQPError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw AMQPError.invalidConfiguration(
                "AMQP URL parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "?"
        return "\(scheme)://\(user):***@\(host):\(port)/\(vhost)"
    }

    /// What `dump`, `debugPrint` of containers and debuggers show: everything but the password.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "user": user, "password": "***", "virtualHost": virtualHost,
            "heartbeat": heartbeat, "connectionTimeout": connectionTimeout, "rpcTimeout": rpcTimeout,
            "writeTimeout": writeTimeout, "maxMessageSize": maxMessageSize, "channelMax": channelMax,
            "tls": tls as Any, "connectionName": connectionName,
        ], displayStyle: .struct)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
