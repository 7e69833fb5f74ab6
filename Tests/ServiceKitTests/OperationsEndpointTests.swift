import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Synchronization
import Testing

@testable import ServiceKit

@Suite("Health and metrics endpoint")
struct OperationsEndpointTests {
    static func app(_ checks: [ReadinessCheck], registry: PrometheusCollectorRegistry = .init()) -> some ApplicationProtocol {
        Application(router: OperationsEndpoint.router(checks: checks, registry: registry))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("live always answers 200")
    func live() async throws {
        try await Self.app([ReadinessCheck("postgres") { false }]).test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"status":"live"}"#)
            }
        }
    }

    @Test("ready is 200 with every check up")
    func ready() async throws {
        let checks = [ReadinessCheck("postgres") { true }, ReadinessCheck("rabbitmq") { true }]
        try await Self.app(checks).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ready","checks":{"postgres":"up","rabbitmq":"up"}}"#)
            }
        }
    }

    @Test("ready is 503 naming the check that is down")
    func notReady() async throws {
        let checks = [ReadinessCheck("postgres") { true }, ReadinessCheck("rabbitmq") { false }]
        try await Self.app(checks).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try Self.json(response)
                #expect(body["status"] as? String == "not_ready")
                #expect(body["checks"] as? [String: String] == ["postgres": "up", "rabbitmq": "down"])
            }
        }
    }

    @Test("a check hanging past its timeout is down, and the probe answers")
    func hangingCheck() async throws {
        let hanging = ReadinessCheck("postgres", timeout: .milliseconds(300)) {
            try? await Task.sleep(for: .seconds(90))
            return true
        }
        try await Self.app([hanging, ReadinessCheck("rabbitmq") { true }]).test(.router) { client in
            let started = ContinuousClock.now
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let checks = try Self.json(response)["checks"] as? [String: String]
                #expect(checks == ["postgres": "down", "rabbitmq": "up"])
            }
            // A probe held by the check would take its 90 s; not held, it takes well under a second,
            // but loaded fresh-clone runs took 10 s and more.
            #expect(ContinuousClock.now - started < .seconds(45))
        }
    }

    @Test("checks run at once: three checks that each wait for all three to start are all up")
    func checksRunConcurrently() async throws {
        let started = Atomic<Int>(0)
        let checks = (0..<3).map { index in
            ReadinessCheck("check\(index)", timeout: .seconds(10)) {
                started.add(1, ordering: .relaxed)
                // One after another, the first would wait here until its timeout and be down.
                while started.load(ordering: .relaxed) < 3 { try? await Task.sleep(for: .milliseconds(10)) }
                return true
            }
        }
        try await Self.app(checks).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("a check that ignores cancellation cannot hold the probe, and stuck runs are shared, not repeated")
    func uncooperativeCheck() async throws {
        let runs = Atomic<Int>(0)
        let stuck = ReadinessCheck("rabbitmq", timeout: .milliseconds(200)) {
            runs.add(1, ordering: .relaxed)
            // Blocks for 45 s whatever happens to the task: cancellation does not reach it.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 45) { continuation.resume() }
            }
            return true
        }
        try await Self.app([stuck]).test(.router) { client in
            let started = ContinuousClock.now
            for _ in 0..<3 {
                try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            }
            // Three probes held by the check would take 3 × 45 s; not held, they take well under a
            // second, but a loaded fresh-clone run once took 10.3 s and 20.7 s: the bound stays under one stuck run.
            #expect(ContinuousClock.now - started < .seconds(40))
        }
        #expect(runs.load(ordering: .relaxed) == 1)
    }

    @Test("concurrent callers of one check share its answer; a later call runs it again")
    func sharedRuns() async {
        let runs = Atomic<Int>(0)
        let check = ReadinessCheck("slow", timeout: .seconds(10)) {
            runs.add(1, ordering: .relaxed)
            // Long enough for all five callers to join this run, even on a busy machine.
            try? await Task.sleep(for: .seconds(1))
            return true
        }
        let answers = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<5 { group.addTask { await check.isUp() } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: true, count: 5))
        #expect(runs.load(ordering: .relaxed) == 1)
        #expect(await check.isUp())
        #expect(runs.load(ordering: .relaxed) == 2)
    }

    @Test("a cancelled caller stops waiting at once and gets down")
    func cancelledCaller() async {
        let check = ReadinessCheck("slow", timeout: .seconds(30)) {
            try? await Task.sleep(for: .seconds(30))
            return true
        }
        let caller = Task { await check.isUp() }
        try? await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        #expect(await caller.value == false)
    }

    @Test("metrics are served in Prometheus text format")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let counter = Counter(label: "shipboard_test_total", dimensions: [("queue", "planning.commands")], factory: factory)
        counter.increment(by: 3)
        try await Self.app([], registry: registry).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE shipboard_test_total counter"))
                #expect(text.contains(#"shipboard_test_total{queue="planning.commands"} 3"#))
            }
        }
    }

    @Test("metrics bootstrap once; the global swift-metrics API then feeds the registry")
    func metricsBootstrap() {
        let registry = MetricsBootstrap.bootstrap()
        #expect(MetricsBootstrap.bootstrap() === registry)
        Counter(label: "shipboard_bootstrap_test_total").increment(by: 2)
        let text = String(decoding: MetricsExposition.render(registry), as: UTF8.self)
        #expect(text.contains("shipboard_bootstrap_test_total 2"))
    }

    @Test("the endpoint's application serves all three routes over a real socket")
    func liveServer() async throws {
        let registry = PrometheusCollectorRegistry()
        Gauge(label: "shipboard_live_test", factory: PrometheusMetricsFactory(registry: registry)).record(1)
        let endpoint = OperationsEndpoint(
            host: "127.0.0.1", port: 0, checks: [ReadinessCheck("postgres") { true }], registry: registry)
        #expect(endpoint.description == "OperationsEndpoint(127.0.0.1:0)")
        try await endpoint.application().test(.live) { client in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("shipboard_live_test 1"))
            }
            try await client.execute(uri: "/nothing", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
