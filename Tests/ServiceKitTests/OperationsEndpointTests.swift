import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing

@testable import ServiceKit

@Suite("Health and metrics endpoint")
struct OperationsEndpointTests {
    static func app(_ checks: [ReadinessCheck], registry: PrometheusCollectorRegistry = .init()) -> some ApplicationProtocol {
        Application(router: OperationsEndpoint.router(checks: checks, registry: registry))
    }

    @Test("live answers; ready is 200 only while every check passes")
    func readiness() async throws {
        let up = ReadinessCheck("postgres") { true }
        let down = ReadinessCheck("rabbitmq") { false }
        try await Self.app([up]).test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""postgres":"up""#))
            }
        }
        try await Self.app([up, down]).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""rabbitmq":"down""#))
            }
        }
    }

    @Test("a hanging check counts as down after its timeout instead of hanging the probe")
    func hangingCheck() async throws {
        let hanging = ReadinessCheck("postgres", timeout: .milliseconds(200)) {
            try? await Task.sleep(for: .seconds(30))
            return true
        }
        let started = ContinuousClock.now
        try await Self.app([hanging]).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("metrics are served in Prometheus text format")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let counter = factory.makeCounter(label: "shipboard_test_total", dimensions: [("queue", "planning.commands")])
        counter.increment(by: 3)
        try await Self.app([], registry: registry).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(String(buffer: response.body).contains(#"shipboard_test_total{queue="planning.commands"} 3"#))
            }
        }
    }
}
