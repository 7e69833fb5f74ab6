import AMQP
import AsyncHTTPClient
import Contracts
import Foundation
import Messaging

/// The gateway under load from this separate process, beside same-run baselines:
/// - `GET /api/v1/releases/{key}` at a fixed 1,000 requests/s (open loop: each request's
///   latency counts from when it was due, so a stall is not hidden), p50/p99;
/// - its peak rate with Debian's `wrk` beside a trivial route (`/health/live`) of the same server;
/// - create + submit through the gateway against the same commands sent straight over
///   request/reply to the same planning process.
enum GatewayBenchmarks {
    static func run(databaseURL: String, amqpURL: String, migrations: String, pairs: Int, seconds: Int) async throws -> [BenchmarkRow] {
        let stack = try await GatewayBenchmarkStack.start(databaseURL: databaseURL, amqpURL: amqpURL, migrations: migrations)
        defer { stack.stop() }
        let http = HTTPClient(configuration: .init(connectionPool: .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
        do {
            let rows = try await measure(stack, http: http, amqpURL: amqpURL, pairs: pairs, seconds: seconds)
            try await http.shutdown()
            return rows
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private static func measure(
        _ stack: GatewayBenchmarkStack, http: HTTPClient, amqpURL: String, pairs: Int, seconds: Int
    ) async throws -> [BenchmarkRow] {
        let amqp = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: MessagingTopology.shipboard)
        let amqpTask = Task { await amqp.run() }
        defer { amqpTask.cancel() }
        let requests = RequestClient(amqp: amqp)
        // Submitting needs an eligible approver in the default gate's group.
        do {
            _ = try await requests.send(
                Envelope(AddApprover(group: "release-approvers", member: "bench-approver"), correlationId: "bench", actor: "bench-admin"),
                timeout: .seconds(60))
        } catch {
            guard error.rule == "approvers.unique" else { throw error }
        }
        let web = WebCalls(http: http, base: stack.base, token: stack.token)
        let key = try await web.createAndSubmit(title: "Read me")

        // Peak rates: the release route and a trivial route of the same server, same run.
        let peakRelease = try Wrk.requestsPerSecond(url: "\(stack.base)/api/v1/releases/\(key)", token: stack.token, seconds: seconds)
        let peakTrivial = try Wrk.requestsPerSecond(url: "\(stack.base)/health/live", token: nil, seconds: seconds)

        // 1,000 requests/s for `seconds`, open loop.
        let latencies = LatencyRecorder()
        let failures = try await web.openLoop(path: "/api/v1/releases/\(key)", rate: 1_000, seconds: seconds, into: latencies)
        guard failures == 0 else { throw BenchmarkError("gateway GET: \(failures) requests failed at 1,000/s") }

        // Commands: create + submit, 16 at a time, through the gateway and then straight.
        let senders = 16
        let perSender = max(1, pairs / senders)
        var started = ContinuousClock.now
        try await viaGateway(web, senders: senders, perSender: perSender)
        let viaGateway = Double(senders * perSender) / Self.seconds(since: started)
        started = ContinuousClock.now
        try await straight(requests, actor: stack.user, senders: senders, perSender: perSender)
        let straight = Double(senders * perSender) / Self.seconds(since: started)
        await requests.close()
        return [
            BenchmarkRow(name: "gateway GET release at 1,000/s, p50", value: await latencies.milliseconds(atPercentile: 50), unit: "ms",
                         baselineName: "-", baseline: nil, target: nil),
            BenchmarkRow(name: "gateway GET release at 1,000/s, p99", value: await latencies.milliseconds(atPercentile: 99), unit: "ms",
                         baselineName: "-", baseline: nil, target: 10, targetIsMaximum: true),
            BenchmarkRow(name: "gateway GET release, peak (wrk)", value: peakRelease, unit: "req/s",
                         baselineName: "trivial route /health/live (wrk)", baseline: peakTrivial, target: nil),
            BenchmarkRow(name: "create+submit via gateway", value: viaGateway, unit: "pairs/s",
                         baselineName: "same commands straight over request/reply", baseline: straight, target: nil),
        ]
    }

    static func viaGateway(_ web: WebCalls, senders: Int, perSender: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for round in 0..<perSender { _ = try await web.createAndSubmit(title: "Via gateway \(sender).\(round)") }
                }
            }
            try await group.waitForAll()
        }
    }

    static func straight(_ requests: RequestClient, actor: String, senders: Int, perSender: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for round in 0..<perSender {
                        let created = try await requests.send(
                            Envelope(CreateRelease(title: "Straight \(sender).\(round)"), correlationId: UUID().uuidString, actor: actor),
                            timeout: .seconds(30))
                        _ = try await requests.send(
                            Envelope(SubmitRelease(releaseKey: created.releaseKey), correlationId: created.releaseKey, actor: actor),
                            timeout: .seconds(30))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
