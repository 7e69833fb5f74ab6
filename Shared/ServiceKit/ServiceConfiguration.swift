import Foundation
import Logging

/// The settings every Shipboard service shares, from the environment.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_DATABASE_URL` | required | PostgreSQL URL (secret) |
/// | `SHIPBOARD_AMQP_URL` | required | RabbitMQ URL (secret) |
/// | `SHIPBOARD_HTTP_HOST` | `127.0.0.1` | address of the health and metrics endpoint |
/// | `SHIPBOARD_HTTP_PORT` | per service | its port (0 = any free port) |
/// | `SHIPBOARD_LOG_FORMAT` | `plain` | `plain` or `json` (one JSON object per line) |
/// | `SHIPBOARD_LOG_LEVEL` | `info` | `trace` … `critical` |
/// | `SHIPBOARD_SHUTDOWN_TIMEOUT` | `10s` | how long graceful shutdown may take |
public struct ServiceConfiguration: Sendable, CustomStringConvertible {
    public let serviceName: String
    public let databaseURL: String
    public let amqpURL: String
    public let httpHost: String
    public let httpPort: Int
    public let logFormat: LogFormat
    public let logLevel: Logger.Level
    public let shutdownTimeout: Duration

    public enum LogFormat: String, Sendable { case plain, json }

    /// The shared variables, for documentation.
    public static let documentation: [(variable: String, defaultValue: String, meaning: String)] = [
        ("SHIPBOARD_DATABASE_URL", "required", "PostgreSQL URL (secret)"),
        ("SHIPBOARD_AMQP_URL", "required", "RabbitMQ URL (secret)"),
        ("SHIPBOARD_HTTP_HOST", "127.0.0.1", "address of the health and metrics endpoint"),
        ("SHIPBOARD_HTTP_PORT", "per service", "port of the health and metrics endpoint (0 = any free port)"),
        ("SHIPBOARD_LOG_FORMAT", "plain", "plain or json (one JSON object per line)"),
        ("SHIPBOARD_LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        ("SHIPBOARD_SHUTDOWN_TIMEOUT", "10s", "how long graceful shutdown may take"),
    ]

    /// Reads the shared settings with `reader` (which a service also uses for its own).
    /// Call `reader.validate()` after reading everything.
    public init(serviceName: String, defaultHTTPPort: Int, reader: ConfigurationReader) {
        self.serviceName = serviceName
        databaseURL = reader.secretURL("SHIPBOARD_DATABASE_URL", schemes: ["postgres", "postgresql"])
        amqpURL = reader.secretURL("SHIPBOARD_AMQP_URL", schemes: ["amqp", "amqps"])
        httpHost = reader.string("SHIPBOARD_HTTP_HOST", default: "127.0.0.1")
        httpPort = reader.int("SHIPBOARD_HTTP_PORT", default: defaultHTTPPort, range: 0...65535)
        logFormat = LogFormat(rawValue: reader.oneOf("SHIPBOARD_LOG_FORMAT", default: "plain", allowed: ["plain", "json"])) ?? .plain
        logLevel = Logger.Level(rawValue: reader.oneOf(
            "SHIPBOARD_LOG_LEVEL", default: "info", allowed: Logger.Level.allCases.map(\.rawValue))) ?? .info
        shutdownTimeout = reader.duration("SHIPBOARD_SHUTDOWN_TIMEOUT", default: .seconds(10))
    }

    /// Reads and validates the shared settings only.
    public static func load(
        serviceName: String, defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ServiceConfiguration {
        let reader = ConfigurationReader(environment: environment)
        let configuration = ServiceConfiguration(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort, reader: reader)
        try reader.validate()
        return configuration
    }

    public var description: String {
        "\(serviceName): database \(Self.redacted(databaseURL)), broker \(Self.redacted(amqpURL)), "
            + "http \(httpHost):\(httpPort), log \(logFormat.rawValue)/\(logLevel.rawValue)"
    }

    /// A URL with its password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<unparsable URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<unparsable URL>"
    }
}
