import AMQP
import Contracts
import Foundation
import Messaging
import Postgres

/// End-to-end event flow through the messaging runtime: commit (outbox row) → relay →
/// publish with confirms → consume → inbox + handler commit → ack.
enum MessagingBenchmarks {
    struct Ping: EventContract {
        static let messageType = "bench.ping"
        var index: Int
    }

    static func run(databaseURL: String, amqpURL: String, migrations: String, events: Int, rawTransport: Double) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let schema = "bench_\(UUID().uuidString.prefix(8).lowercased())"
        let servicePool = PostgresPool(configuration: database, maxConnections: 12)
        let producerPool = PostgresPool(configuration: database, maxConnections: 16)
        try await servicePool.query("SELECT public.shipboard_create_messaging_tables(\(schema))")
        let queue = "bench.\(schema)"
        let routingKey = "bench.\(schema).ping"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(Exchanges.events, routingKey)]))
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: topology)
        let clientTask = Task { await client.run() }
        _ = try await client.currentConnection(timeout: .seconds(30))

        let latencies = LatencyRecorder()
        var handlers = MessageHandlers()
        handlers.on(Ping.self) { envelope, _ in
            await latencies.add(seconds: Date().timeIntervalSince(envelope.occurredAt))
        }
        let outbox = Outbox(schema: schema)
        let relay = OutboxRelay(outbox: outbox, pool: servicePool, amqp: client, batchSize: 500, pollInterval: .milliseconds(200))
        let runner = ConsumerRunner(queue: queue, schema: schema, handlers: handlers, pool: servicePool, amqp: client,
                                    prefetch: 200, concurrency: 8)
        let relayTask = Task { try await relay.run() }
        let runnerTask = Task { try await runner.run() }

        func commit(_ index: Int) async throws {
            let envelope = Envelope(Ping(index: index), correlationId: "REL-\(index % 50)", actor: "bench")
            try await producerPool.withTransaction { transaction in
                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: routingKey, in: transaction)
            }
        }

        // Throughput: commit `events` as fast as 16 producers (the gateway's concurrent requests) can, until all are handled.
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<16 {
                group.addTask {
                    for index in stride(from: producer, to: events, by: 16) { try await commit(index) }
                }
            }
            try await group.waitForAll()
        }
        let committed = ContinuousClock.now - started
        while await latencies.count < events { try await Task.sleep(for: .milliseconds(5)) }
        let elapsed = ContinuousClock.now - started
        print("messaging: \(events) events committed in \(committed), all handled after \(elapsed)")
        let throughput = Double(events) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)

        // Latency at a fixed 1,000 events/s for 5 s: 10 events every 10 ms.
        await latencies.reset()
        let paced = 5_000
        let clock = ContinuousClock()
        var next = clock.now
        for tick in 0..<(paced / 10) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for offset in 0..<10 { group.addTask { try await commit(1_000_000 + tick * 10 + offset) } }
                try await group.waitForAll()
            }
            next += .milliseconds(10)
            try await clock.sleep(until: next)
        }
        while await latencies.count < paced { try await Task.sleep(for: .milliseconds(5)) }
        let p50 = await latencies.milliseconds(atPercentile: 50)
        let p99 = await latencies.milliseconds(atPercentile: 99)

        runnerTask.cancel()
        relayTask.cancel()
        _ = await runnerTask.result
        _ = await relayTask.result
        clientTask.cancel()
        _ = await clientTask.value
        try await servicePool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await servicePool.close()
        await producerPool.close()
        return [
            BenchmarkRow(name: "events end to end (outbox→relay→inbox)", value: throughput, unit: "events/s",
                         baselineName: "raw AMQP consume+ack (F1)", baseline: rawTransport, target: 2_000),
            BenchmarkRow(name: "latency p50 at 1,000 events/s", value: p50, unit: "ms",
                         baselineName: "", baseline: nil, target: nil),
            BenchmarkRow(name: "latency p99 at 1,000 events/s", value: p99, unit: "ms",
                         baselineName: "", baseline: nil, target: 100, targetIsMaximum: true),
        ]
    }
}
