import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The small HTTP endpoint every service has, for orchestrators and Prometheus:
/// `GET /health/live` (the process answers), `GET /health/ready` (200 only while every
/// readiness check passes, else 503 naming the failing ones), `GET /metrics` (Prometheus
/// text format).
public struct OperationsEndpoint: Service {
    let host: String
    let port: Int
    let checks: [ReadinessCheck]
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void

    public init(
        host: String, port: Int, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry,
        logger: Logger = Logger(label: "shipboard.http"), onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.checks = checks
        self.registry = registry
        self.logger = logger
        self.onRunning = onRunning
    }

    /// The routes, for in-process tests.
    public static func router(checks: [ReadinessCheck], registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health/live") { _, _ in
            Self.json(["status": "live"], status: .ok)
        }
        router.get("/health/ready") { _, _ in
            var results: [String: String] = [:]
            var ready = true
            for check in checks {
                let up = await check.run()
                results[check.name] = up ? "up" : "down"
                ready = ready && up
            }
            let body: [String: Any] = ["status": ready ? "ready" : "not_ready", "checks": results]
            return Self.json(body, status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return router
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public func run() async throws {
        let onRunning = self.onRunning
        let app = Application(
            router: Self.router(checks: checks, registry: registry), configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        // `run()`, not `runService()`: the enclosing ServiceGroup owns the signals and the
        // shutdown order; runService would install its own SIGTERM handler and stop early.
        try await app.run()
    }
}
