import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The small HTTP endpoint every service has, for orchestrators and Prometheus:
///
/// - `GET /health/live`: 200 `{"status":"live"}` while the process answers.
/// - `GET /health/ready`: runs every ``ReadinessCheck`` at once; 200
///   `{"status":"ready","checks":{"postgres":"up","rabbitmq":"up"}}`, or 503 with status
///   `not_ready` and the failing checks `down`.
/// - `GET /metrics`: the registry in Prometheus text format.
///
/// A `Service`: put it first in ``ServiceMain/run(services:configuration:logger:)`` so it
/// starts first and, shutdown being in reverse order, stops last (probes keep answering
/// while the other services drain).
public struct OperationsEndpoint: Service {
    /// Address to listen on.
    public let host: String
    /// Port to listen on; 0 picks a free one (reported to `onRunning`).
    public let port: Int
    /// Checks `/health/ready` runs.
    public let checks: [ReadinessCheck]
    /// Registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let onRunning: @Sendable (_ port: Int) async -> Void

    /// An endpoint on `host:port`; `onRunning` is told the bound port once it listens.
    public init(
        host: String, port: Int, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry,
        logger: Logger = Logger(label: "shipboard.http"),
        onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.checks = checks
        self.registry = registry
        self.logger = logger
        self.onRunning = onRunning
    }

    /// An endpoint on the configured `SHIPBOARD_HTTP_HOST` and `SHIPBOARD_HTTP_PORT`.
    public init(
        configuration: ServiceConfiguration, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry,
        logger: Logger = Logger(label: "shipboard.http")
    ) {
        self.init(
            host: configuration.httpHost, port: configuration.httpPort, checks: checks, registry: registry, logger: logger)
    }

    /// The Hummingbird application serving ``router()``; `app.test(.live)` can run it.
    public func application() -> some ApplicationProtocol {
        let onRunning = self.onRunning
        let logger = self.logger
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("operations endpoint listening", metadata: ["http.port": "\(port)"])
                await onRunning(port)
            },
            logger: logger)
    }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        // `run()`, not `runService()`: the enclosing ServiceGroup owns the signals and the
        // shutdown order; runService would trap SIGTERM itself and stop out of turn.
        try await application().run()
    }
}

extension OperationsEndpoint: CustomStringConvertible {
    /// `OperationsEndpoint(127.0.0.1:8081)`: how the service group names it in logs.
    public var description: String { "OperationsEndpoint(\(host):\(port))" }
}
