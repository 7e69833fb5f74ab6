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
        try await GatewayBenchmarkStack.with(databaseURL: databaseURL, amqpURL: amqpURL, migrations: migrations) { stack, http in
            try await measure(stack, http: http, amqpURL: amqpURL, pairs: pairs, seconds: seconds)
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

        let commands = try await compareCommands(stack, web: web, requests: requests, pairs: pairs)
        await requests.close()
        return [
            BenchmarkRow(name: "gateway GET release at 1,000/s, p50", value: await latencies.milliseconds(atPercentile: 50), unit: "ms",
                         baselineName: "-", baseline: nil, target: nil),
            BenchmarkRow(name: "gateway GET release at 1,000/s, p99", value: await latencies.milliseconds(atPercentile: 99), unit: "ms",
                         baselineName: "-", baseline: nil, target: 10, targetIsMaximum: true),
            BenchmarkRow(name: "gateway GET release, peak (wrk)", value: peakRelease, unit: "req/s",
                         baselineName: "trivial route /health/live (wrk)", baseline: peakTrivial, target: nil),
        ] + commands
    }

    /// Create + submit, 16 senders at a time, through the gateway and straight over
    /// request/reply, in alternating rounds (G S S G G S S G) so that drift in the run
    /// (autovacuum, checkpoints, growing tables) falls on both sides alike. Also the CPU the
    /// gateway and planning processes spent per command, from /proc.
    static func compareCommands(
        _ stack: GatewayBenchmarkStack, web: WebCalls, requests: RequestClient, pairs: Int
    ) async throws -> [BenchmarkRow] {
        let order = [true, false, false, true, true, false, false, true]
        let senders = 16
        let perSender = max(1, pairs / senders / (order.count / 2))
        let pairsPerRound = Double(senders * perSender)
        var seconds = (gateway: 0.0, straight: 0.0)
        var roundRates: [Double] = []
        var gatewayCPU = 0.0
        var planningCPU = (gateway: 0.0, straight: 0.0)
        for throughGateway in order {
            let before = (gateway: try ProcessCPU.seconds(stack.gateway), planning: try ProcessCPU.seconds(stack.planning))
            let started = ContinuousClock.now
            if throughGateway {
                try await viaGateway(web, senders: senders, perSender: perSender)
            } else {
                try await straight(requests, actor: stack.user, senders: senders, perSender: perSender)
            }
            let elapsed = Self.seconds(since: started)
            let planningSpent = try ProcessCPU.seconds(stack.planning) - before.planning
            roundRates.append(pairsPerRound / elapsed)
            if throughGateway {
                seconds.gateway += elapsed
                gatewayCPU += try ProcessCPU.seconds(stack.gateway) - before.gateway
                planningCPU.gateway += planningSpent
            } else {
                seconds.straight += elapsed
                planningCPU.straight += planningSpent
            }
        }
        // Each gateway round beside the straight round next to it: (1,2), (3,4), ...
        let roundRatios = stride(from: 0, to: order.count - 1, by: 2).map { index in
            order[index] ? roundRates[index] / roundRates[index + 1] : roundRates[index + 1] / roundRates[index]
        }
        let perSide = pairsPerRound * Double(order.count / 2)
        let viaGateway = perSide / seconds.gateway
        let straight = perSide / seconds.straight
        let commandsPerSide = perSide * 2
        let range = "rounds \(String(format: "%.2f", roundRatios.min() ?? 0))–\(String(format: "%.2f", roundRatios.max() ?? 0))"
        return [
            BenchmarkRow(name: "create+submit via gateway", value: viaGateway, unit: "pairs/s",
                         baselineName: "same commands straight over request/reply", baseline: straight, target: nil),
            BenchmarkRow(name: "create+submit, gateway ÷ straight", value: viaGateway / straight, unit: "",
                         baselineName: range, baseline: nil, target: 0.8),
            BenchmarkRow(name: "gateway CPU per command", value: gatewayCPU / commandsPerSide * 1000, unit: "ms",
                         baselineName: "planning CPU per command (via gateway)", baseline: planningCPU.gateway / commandsPerSide * 1000,
                         target: nil),
            BenchmarkRow(name: "planning CPU per command, straight", value: planningCPU.straight / commandsPerSide * 1000, unit: "ms",
                         baselineName: "-", baseline: nil, target: nil),
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
