import AMQP
import Contracts
import Foundation
import Glibc
import Messaging
import Postgres
import Synchronization

/// Latency at a fixed 1,000 events/s with the consumers as separate processes
/// (`messaging-probe`, two replicas competing on one queue), measured twice in one run:
/// steady, and while one replica is killed with SIGKILL and started again. The relay and
/// the producers run in this process; the latency of an event is from its `occurredAt`
/// (set just before its commit) to the handler's insert (`clock_timestamp()`), both on this
/// machine's clock.
enum ConsumerFailoverBenchmarks {
    struct Recorded: EventContract {
        static let messageType = "test.recorded"
        var value: String
    }

    static func run(databaseURL: String, amqpURL: String, migrations: String, seconds: Int) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let schema = "bench_fo_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: database, maxConnections: 16)
        try await pool.query("SELECT public.shipboard_create_messaging_tables(\(schema))")
        try await pool.query(
            "CREATE TABLE \(identifier: schema).effects (message_id uuid NOT NULL, value text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        let queue = "bench.\(schema)"
        let routingKey = "bench.\(schema).recorded"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(Exchanges.events, routingKey)]))
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: topology)
        let clientTask = Task { await client.run() }
        _ = try await client.currentConnection(timeout: .seconds(30))
        let outbox = Outbox(schema: schema)
        let relay = OutboxRelay(outbox: outbox, pool: pool, amqp: client, batchSize: 500, pollInterval: .milliseconds(200))
        let relayTask = Task { try await relay.run() }

        let probes = ProbeReplicas(databaseURL: databaseURL, amqpURL: amqpURL, schema: schema, queue: queue, routingKey: routingKey)
        defer { probes.stopAll() }
        try probes.start(0)
        try probes.start(1)
        try await waitForConsumers(client, queue: queue, count: 2)

        var produced = 0
        /// Commits `seconds` × 1,000 events (10 every 10 ms) tagged `phase`; `during` runs
        /// beside the producer (the fault), started with it.
        func pace(_ phase: String, during: @escaping @Sendable () async throws -> Void) async throws {
            let fault = Task { try await during() }
            let clock = ContinuousClock()
            var next = clock.now
            for _ in 0..<(seconds * 100) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for offset in 0..<10 {
                        let index = produced + offset
                        group.addTask {
                            let micros = Int64(Date().timeIntervalSince1970 * 1_000_000)
                            let envelope = Envelope(
                                Recorded(value: "\(phase):\(micros)"), correlationId: "REL-\(index % 50)", actor: "bench")
                            try await pool.withTransaction { transaction in
                                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: routingKey, in: transaction)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                produced += 10
                next += .milliseconds(10)
                try await clock.sleep(until: next)
            }
            try await fault.value
        }

        func latencies(_ phase: String) async throws -> LatencyRecorder {
            let expected = seconds * 1_000
            let deadline = ContinuousClock.now + .seconds(120)
            while try await count(phase) < expected {
                guard ContinuousClock.now < deadline else {
                    throw BenchmarkError("failover: only \(try await count(phase)) of \(expected) '\(phase)' events handled in 2 min")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let recorder = LatencyRecorder()
            let rows = try await pool.query(
                """
                SELECT (extract(epoch FROM at) * 1000000 - split_part(value, ':', 2)::float8) / 1000000
                FROM \(identifier: schema).effects WHERE value LIKE \(phase + ":%")
                """)
            for row in rows { await recorder.add(seconds: try row.decode(at: 0, as: Double.self)) }
            return recorder
        }

        func count(_ phase: String) async throws -> Int {
            try await pool.query(
                "SELECT count(*)::int8 FROM \(identifier: schema).effects WHERE value LIKE \(phase + ":%")"
            ).single().decode(at: 0, as: Int.self)
        }

        // Warm both replicas up, then the steady baseline.
        try await pace("warm") {}
        _ = try await latencies("warm")
        try await pace("steady") {}
        let steady = try await latencies("steady")
        // The same load while replica 0 is killed at 25% of the window and restarted at 50%.
        let window = Duration.seconds(seconds)
        try await pace("failover") {
            try await Task.sleep(for: window / 4)
            probes.kill(0)
            try await Task.sleep(for: window / 4)
            try probes.start(0)
        }
        let failover = try await latencies("failover")
        let handledTwice = try await pool.query(
            "SELECT count(*) - count(DISTINCT message_id) FROM \(identifier: schema).effects"
        ).single().decode(at: 0, as: Int.self)
        print(
            "failover: steady p50 \(await steady.milliseconds(atPercentile: 50)) ms, p99 \(await steady.milliseconds(atPercentile: 99)) ms;"
                + " with a replica killed and restarted p50 \(await failover.milliseconds(atPercentile: 50)) ms,"
                + " p99 \(await failover.milliseconds(atPercentile: 99)) ms, max \(await failover.maximumMilliseconds) ms;"
                + " effects handled twice: \(handledTwice)")

        probes.stopAll()
        relayTask.cancel()
        _ = await relayTask.result
        if let connection = try? await client.currentConnection(timeout: .seconds(10)) {
            try? await connection.deleteQueue(queue)
        }
        clientTask.cancel()
        _ = await clientTask.value
        try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
        let steadyP99 = await steady.milliseconds(atPercentile: 99)
        return [
            BenchmarkRow(name: "latency p99, 2 consumer processes", value: steadyP99, unit: "ms",
                         baselineName: "", baseline: nil, target: 100, targetIsMaximum: true),
            BenchmarkRow(name: "latency p99, one killed and restarted", value: await failover.milliseconds(atPercentile: 99),
                         unit: "ms", baselineName: "same load, no kill", baseline: steadyP99, target: 100, targetIsMaximum: true),
        ]
    }

    static func waitForConsumers(_ client: AMQPClient, queue: String, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await client.currentConnection().queueCounts(queue).consumers != count {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("failover: the probes never started consuming") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The `messaging-probe` replicas of the failover benchmark, each a separate process.
final class ProbeReplicas: Sendable {
    private let environment: [String: String]
    private let processes = ProcessTable()

    init(databaseURL: String, amqpURL: String, schema: String, queue: String, routingKey: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SHIPBOARD_DATABASE_URL"] = databaseURL
        environment["SHIPBOARD_AMQP_URL"] = amqpURL
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        environment["SHIPBOARD_LOG_LEVEL"] = "error"
        environment["PROBE_SCHEMA"] = schema
        environment["PROBE_QUEUE"] = queue
        environment["PROBE_ROUTING_KEY"] = routingKey
        environment["PROBE_CONCURRENCY"] = "8"
        self.environment = environment
    }

    /// Starts replica `slot` (the binary sits beside shipboard-bench in the build folder).
    func start(_ slot: Int) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("messaging-probe")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkError("messaging-probe is not built beside shipboard-bench (bench.sh builds both)")
        }
        let process = Process()
        process.executableURL = binary
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        processes.set(slot, process.processIdentifier)
    }

    /// SIGKILL: a crash, with whatever the replica holds unacknowledged.
    func kill(_ slot: Int) {
        if let pid = processes.remove(slot) { Glibc.kill(pid, SIGKILL) }
    }

    func stopAll() {
        for pid in processes.removeAll() { Glibc.kill(pid, SIGTERM) }
    }
}

/// Pids by replica slot, behind a lock (the table is touched from the benchmark's tasks).
final class ProcessTable: Sendable {
    private let pids = Mutex<[Int: Int32]>([:])

    func set(_ slot: Int, _ pid: Int32) { pids.withLock { $0[slot] = pid } }
    func remove(_ slot: Int) -> Int32? { pids.withLock { $0.removeValue(forKey: slot) } }
    func removeAll() -> [Int32] {
        pids.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
    }
}
