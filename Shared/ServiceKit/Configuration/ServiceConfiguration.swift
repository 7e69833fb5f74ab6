import Foundation
import Logging

/// The settings every Shipboard service shares, read from the environment.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_DATABASE_URL` | required | PostgreSQL URL, `postgres://user:password@host:port/database` (secret) |
/// | `SHIPBOARD_AMQP_URL` | required | RabbitMQ URL, `amqp://user:password@host:port/vhost` (secret) |
/// | `SHIPBOARD_HTTP_HOST` | `127.0.0.1` | address the health and metrics endpoint listens on (`0.0.0.0` in containers) |
/// | `SHIPBOARD_HTTP_PORT` | per service | port of the health and metrics endpoint (0 = any free port) |
/// | `SHIPBOARD_LOG_FORMAT` | `plain` | `plain` or `json` (one JSON object per line) |
/// | `SHIPBOARD_LOG_LEVEL` | `info` | `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` |
/// | `SHIPBOARD_SHUTDOWN_TIMEOUT` | `10s` | how long graceful shutdown may take before tasks are cancelled (`500ms`, `10s`, `1m`) |
///
/// The same rows are in ``documentation``; a test keeps the two in step.
///
/// A service reads its own variables with the same ``ConfigurationReader`` so one
/// ``ConfigurationError`` names every problem:
///
/// ```swift
/// let (configuration, settings) = ServiceMain.loadOrExit(serviceName: "planning", defaultHTTPPort: 8081) { reader in
///     PlanningSettings(reader)
/// }
/// ```
///
/// `description` (and `debugDescription`, and the reflection `dump` uses) show URLs with
/// their password replaced by `***`, so a configuration can be logged.
public struct ServiceConfiguration: Sendable {
    /// The service's short name (`planning`, `rollout`), used in logs.
    public let serviceName: String
    /// `SHIPBOARD_DATABASE_URL`; secret.
    public let databaseURL: String
    /// `SHIPBOARD_AMQP_URL`; secret.
    public let amqpURL: String
    /// `SHIPBOARD_HTTP_HOST`.
    public let httpHost: String
    /// `SHIPBOARD_HTTP_PORT`.
    public let httpPort: Int
    /// `SHIPBOARD_LOG_FORMAT`.
    public let logFormat: LogFormat
    /// `SHIPBOARD_LOG_LEVEL`.
    public let logLevel: Logger.Level
    /// `SHIPBOARD_SHUTDOWN_TIMEOUT`.
    public let shutdownTimeout: Duration

    /// Reads the shared settings with `reader`, which the service goes on using for its own;
    /// call `reader.validate()` once everything is read (``ServiceMain/loadOrExit(serviceName:defaultHTTPPort:environment:_:)`` does).
    public init(serviceName: String, defaultHTTPPort: Int, reader: ConfigurationReader) {
        self.serviceName = serviceName
        databaseURL = reader.requiredURL("SHIPBOARD_DATABASE_URL", schemes: ["postgres", "postgresql"])
        amqpURL = reader.requiredURL("SHIPBOARD_AMQP_URL", schemes: ["amqp", "amqps"])
        httpHost = reader.string("SHIPBOARD_HTTP_HOST", default: "127.0.0.1")
        httpPort = reader.int("SHIPBOARD_HTTP_PORT", default: defaultHTTPPort, range: 0...65535)
        logFormat = reader.oneOf("SHIPBOARD_LOG_FORMAT", default: LogFormat.plain)
        logLevel = reader.oneOf("SHIPBOARD_LOG_LEVEL", default: Logger.Level.info)
        shutdownTimeout = reader.duration(
            "SHIPBOARD_SHUTDOWN_TIMEOUT", default: .seconds(10), range: .milliseconds(1)...(.seconds(3600)))
    }

    /// Reads and validates the shared settings only.
    public static func load(
        serviceName: String, defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ServiceConfiguration {
        try load(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort, environment: environment) { _ in () }.0
    }

    /// Reads the shared settings and the service's own with `readExtra`, then validates both:
    /// the error, if any, names every problem of either.
    public static func load<Extra>(
        serviceName: String, defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ readExtra: (ConfigurationReader) -> Extra
    ) throws(ConfigurationError) -> (ServiceConfiguration, Extra) {
        let reader = ConfigurationReader(environment: environment)
        let configuration = ServiceConfiguration(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort, reader: reader)
        let extra = readExtra(reader)
        try reader.validate()
        return (configuration, extra)
    }
}
