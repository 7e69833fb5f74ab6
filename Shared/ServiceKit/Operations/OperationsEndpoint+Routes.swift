import Foundation
import Hummingbird
import Prometheus

extension OperationsEndpoint {
    /// The routes of this endpoint, for in-process tests with `app.test(.router)`.
    public func router() -> Router<BasicRequestContext> {
        Self.router(checks: checks, registry: registry)
    }

    /// The routes: `/health/live`, `/health/ready`, `/metrics`.
    public static func router(checks: [ReadinessCheck], registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router, checks: checks, registry: registry)
        return router
    }

    /// The same routes on a router of another request context (the gateway's knows the
    /// client's address).
    public static func addRoutes<Context: RequestContext>(
        to router: Router<Context>, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry
    ) {
        router.get("/health/live") { _, _ in
            json(#"{"status":"live"}"#, status: .ok)
        }
        router.get("/health/ready") { _, _ in
            let report = await ReadinessReport.run(checks)
            return json(report.json, status: report.isReady ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: MetricsExposition.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsExposition.render(registry))))
        }
    }

    private static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
