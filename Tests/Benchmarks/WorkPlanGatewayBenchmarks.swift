import AMQP
import AsyncHTTPClient
import Contracts
import Foundation
import Messaging

/// Task actions through the gateway (issue 11's ≥ 500 actions/s): 16 senders, each starting
/// then finishing the 40 independent tasks of a release of its own (so no sender waits on
/// another's release lock), over HTTP to `shipboard-gateway` with `shipboard-planning`
/// behind it, beside the same actions sent straight over request/reply to the same planning
/// process. Rounds alternate G S S G so that drift in the run falls on both sides; each
/// round gets fresh releases, created and given the job plan through the API before timing.
enum WorkPlanGatewayBenchmarks {
    static let senders = 16
    static let tasksPerRelease = 40

    static func run(databaseURL: String, amqpURL: String, migrations: String, rounds: Int) async throws -> [BenchmarkRow] {
        try await GatewayBenchmarkStack.with(databaseURL: databaseURL, amqpURL: amqpURL, migrations: migrations) { stack, http in
            let amqp = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: MessagingTopology.shipboard)
            let amqpTask = Task { await amqp.run() }
            defer { amqpTask.cancel() }
            let requests = RequestClient(amqp: amqp)
            let rows = try await measure(stack, web: WebCalls(http: http, base: stack.base, token: stack.token), requests: requests,
                                         rounds: rounds)
            await requests.close()
            return rows
        }
    }

    private static func measure(_ stack: GatewayBenchmarkStack, web: WebCalls, requests: RequestClient, rounds: Int) async throws -> [BenchmarkRow] {
        let plan = "bench-actions-\(UUID().uuidString.prefix(8).lowercased())"
        let tasks = (1...tasksPerRelease).map { index in
            ["key": "task-\(index)", "title": "Independent task \(index)", "group": "bench", "phase": "initiate",
             "owner": "group:release-managers", "estimateMinutes": 30] as [String: Any]
        }
        let (saved, answer) = try await web.call("POST", "/api/v1/job-plans", json: ["name": plan, "tasks": tasks])
        guard saved == 201 else { throw BenchmarkError("save job plan via gateway: \(saved) \(String(decoding: answer.prefix(200), as: UTF8.self))") }

        let order = (0..<rounds).map { [true, false, false, true][$0 % 4] }
        let actionsPerRound = Double(senders * tasksPerRelease * 2)
        var seconds = (gateway: 0.0, straight: 0.0)
        var roundRates: [Double] = []
        for throughGateway in order {
            let releases = try await preparedReleases(web, plan: plan)
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for key in releases {
                    group.addTask {
                        for task in 1...tasksPerRelease {
                            for action in ["start", "finish"] {
                                if throughGateway {
                                    try await act(web, release: key, task: "task-\(task)", action: action)
                                } else {
                                    _ = try await requests.send(
                                        Envelope(ActOnTask(releaseKey: key, taskKey: "task-\(task)", action: action, asReleaseManager: true),
                                                 correlationId: key, actor: stack.user),
                                        timeout: .seconds(30))
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = GatewayBenchmarks.seconds(since: started)
            roundRates.append(actionsPerRound / elapsed)
            if throughGateway { seconds.gateway += elapsed } else { seconds.straight += elapsed }
        }
        let roundRatios = stride(from: 0, to: order.count - 1, by: 2).map { index in
            order[index] ? roundRates[index] / roundRates[index + 1] : roundRates[index + 1] / roundRates[index]
        }
        let perSide = actionsPerRound * Double(order.count / 2)
        let gatewayRate = perSide / seconds.gateway
        let straight = perSide / seconds.straight
        let range = "rounds \(String(format: "%.2f", roundRatios.min() ?? 0))–\(String(format: "%.2f", roundRatios.max() ?? 0))"
        return [
            BenchmarkRow(name: "task start+finish via gateway, 16 senders", value: gatewayRate, unit: "actions/s",
                         baselineName: "same actions straight over request/reply", baseline: straight, target: 500),
            BenchmarkRow(name: "task actions, gateway ÷ straight", value: gatewayRate / straight, unit: "",
                         baselineName: range, baseline: nil, target: nil),
        ]
    }

    /// One release per sender, created and given the job plan `plan` through the gateway.
    private static func preparedReleases(_ web: WebCalls, plan: String) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    let key = try await web.createRelease(title: "Work plan bench \(sender)")
                    let (applied, answer) = try await web.call("POST", "/api/v1/releases/\(key)/work-plan", json: ["jobPlanName": plan])
                    guard applied == 201 else {
                        throw BenchmarkError("apply via gateway: \(applied) \(String(decoding: answer.prefix(200), as: UTF8.self))")
                    }
                    return key
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    private static func act(_ web: WebCalls, release: String, task: String, action: String) async throws {
        let (status, body) = try await web.call("POST", "/api/v1/releases/\(release)/tasks/\(task)/actions", json: ["action": action])
        guard status == 200 else {
            throw BenchmarkError("\(action) \(task) via gateway: \(status) \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }
}
