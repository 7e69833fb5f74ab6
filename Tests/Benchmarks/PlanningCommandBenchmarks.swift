import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres

/// Release commands end to end through request/reply: RequestClient → broker → ConsumerRunner
/// with the planning handlers (lock, rules, save, audit, outbox, inbox) → reply.
enum PlanningCommandBenchmarks {
    static func run(databaseURL: String, amqpURL: String, migrations: String, commands: Int, rawTransport: Double) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let schema = "bench_plan_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: database, maxConnections: 10)
        try await pool.query("SELECT public.shipboard_create_planning_schema(\(schema))")
        let queue = "bench.\(schema)"
        // A commands exchange of its own: a shipboard-planning running on the same vhost
        // (started by up.sh) must not answer the benchmark's commands.
        let exchange = "bench.commands.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges + [.init(name: exchange, kind: .topic, durable: false)])
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(exchange, "planning.#")]))
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: topology)
        let clientTask = Task { await client.run() }
        _ = try await client.currentConnection(timeout: .seconds(30))
        let runner = ConsumerRunner(
            queue: queue, schema: schema, handlers: PlanningCommandHandlers(schema: schema, auditKeys: .random()).handlers(), pool: pool,
            amqp: client, prefetch: 100, concurrency: 8)
        let runnerTask = Task { try await runner.run() }
        let requests = RequestClient(amqp: client, exchange: exchange)

        // Submitting checks every gate's group has an eligible member (GatePolicy).
        _ = try await requests.send(
            Envelope(AddApprover(group: "release-approvers", member: "dave"), correlationId: "bench-config", actor: "admin"),
            timeout: .seconds(30))

        // Half creates, half submits of the created releases, from 16 concurrent senders. Each
        // create has a correlation id of its own, as the gateway gives every new release: the
        // consumer handles one message per correlation id at a time.
        let senders = 16
        let perSender = max(1, commands / senders / 2)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for index in 0..<perSender {
                        let created = try await requests.send(
                            Envelope(CreateRelease(title: "Bench \(sender)-\(index)", requester: "alice", coordinator: "carol"),
                                     correlationId: "bench-\(sender)-\(index)", actor: "alice"), timeout: .seconds(30))
                        _ = try await requests.send(
                            Envelope(SubmitRelease(releaseKey: created.releaseKey), correlationId: created.releaseKey, actor: "alice"),
                            timeout: .seconds(30))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let total = senders * perSender * 2
        let perSecond = Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        await requests.close()
        runnerTask.cancel()
        _ = await runnerTask.result
        if let connection = try? await client.currentConnection(timeout: .seconds(10)) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteExchange(exchange)
        }
        clientTask.cancel()
        _ = await clientTask.value
        try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
        return [
            BenchmarkRow(name: "release commands via request/reply", value: perSecond, unit: "cmd/s",
                         baselineName: "raw AMQP consume+ack (F1)", baseline: rawTransport, target: 500),
        ]
    }
}
