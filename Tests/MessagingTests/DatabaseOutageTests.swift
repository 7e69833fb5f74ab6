import AMQP
import Contracts
import Foundation
import Glibc
import Messaging
import Postgres
import ShipboardTestSupport
import Testing

/// Stops the fault PostgreSQL instance under consumers that run as separate processes
/// (holding the fault instance's lock). The only long test of the suite (the issue asks for
/// a 90 s outage, longer than any timeout or retry budget in the runtime).
@Suite("Messaging through a database outage", .serialized)
struct DatabaseOutageTests {
    /// A consumer schema on the fault instance mirroring `fixture`'s (inbox and effects).
    static func consumerSchema(_ fixture: MessagingFixture) async throws -> PostgresPool {
        let configuration = try FaultPostgres.configuration(.owner)
        // MigrationGate remembers the main instance only: migrate the fault one here (idempotent).
        let migrations = URL(fileURLWithPath: try MessagingTestEnvironment.value("SHIPBOARD_MIGRATIONS_DIR"))
        _ = try await PostgresMigrator(directory: migrations).migrate(configuration: configuration)
        let pool = PostgresPool(configuration: configuration, maxConnections: 2)
        try await pool.query("SELECT public.shipboard_create_messaging_tables(\(fixture.schema))")
        try await pool.query(
            "CREATE TABLE \(identifier: fixture.schema).effects (message_id uuid NOT NULL, value text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        return pool
    }

    static func effects(_ pool: PostgresPool, _ schema: String) async throws -> [UUID] {
        try await pool.query("SELECT message_id FROM \(identifier: schema).effects").map { try $0.decode(at: 0, as: UUID.self) }
    }

    @Test("PostgreSQL stopped for 90 s during a burst of 1,000 commands and 1,000 events: none dead-lettered, each handled once after it returns")
    func ninetySecondOutage() async throws {
        try await FaultPostgres.exclusively {
            // Producers commit to the main instance and its relay publishes; the consumers
            // (two messaging-probe processes) keep their inbox and effects on the fault instance.
            let fixture = try await MessagingFixture.make("dbout")
            let consumerPool = try await Self.consumerSchema(fixture)
            try await withAMQP(topology: fixture.topology()) { client in
                let ports = try [ProbeHealthTests.freePort(), ProbeHealthTests.freePort()]
                let probes = try ports.map { port in
                    try ProbeProcess(
                        fixture: fixture, handlerDelayMs: 5, concurrency: 4, databaseURL: FaultPostgres.url(.owner),
                        environment: ["SHIPBOARD_HTTP_PORT": "\(port)", "PROBE_COMMAND_ROUTING_KEY": fixture.routingKey])
                }
                defer { for probe in probes where probe.process.isRunning { probe.signal(SIGKILL) } }
                try await ProcessCrashTests.waitForConsumer(client, fixture, count: 2)
                let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                        batchSize: 200, pollInterval: .milliseconds(100))
                let ids = IDList()
                try await running({ try await relay.run() }) {
                    // The burst: 200 transactions of 5 commands (fire-and-forget, as `send` writes
                    // them) and 5 events each, from 4 producers.
                    let burst = Task {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for producer in 0..<4 {
                                group.addTask { try await Self.produce(fixture, producer: producer, transactions: 50, ids: ids) }
                            }
                            try await group.waitForAll()
                        }
                    }
                    // Stop the database once the consumers are well into the burst.
                    #expect(try await eventually(timeout: .seconds(60)) {
                        try await Self.effects(consumerPool, fixture.schema).count >= 100
                    })
                    let stoppedAt = ContinuousClock.now
                    try await FaultPostgres.stop()
                    try await burst.value
                    let count = await ids.all.count
                    #expect(count == 2_000)
                    // Both consumers notice and report not ready; nothing is dead-lettered meanwhile.
                    for port in ports {
                        #expect(await eventually(timeout: .seconds(20)) { await ProbeHealthTests.get("http://127.0.0.1:\(port)/health/ready")?.0 == 503 })
                    }
                    try await Task.sleep(until: stoppedAt + .seconds(90))
                    let deadQueue = MessagingTopology.deadLetterQueue(for: fixture.queue)
                    #expect(try await client.currentConnection().queueCounts(deadQueue).messages == 0)
                    try await FaultPostgres.start()

                    let expected = Set(await ids.all)
                    #expect(try await eventually(timeout: .seconds(60)) {
                        try await Self.effects(consumerPool, fixture.schema).count >= expected.count
                    })
                    try await Task.sleep(for: .seconds(1))  // anything handled twice would show by now
                    let handled = try await Self.effects(consumerPool, fixture.schema)
                    #expect(handled.count == expected.count, "each handled exactly once")
                    #expect(Set(handled) == expected)
                    #expect(try await client.currentConnection().queueCounts(deadQueue).messages == 0, "none dead-lettered")
                    for port in ports {
                        #expect(await eventually { await ProbeHealthTests.get("http://127.0.0.1:\(port)/health/ready")?.0 == 200 })
                        let metrics = await ProbeHealthTests.get("http://127.0.0.1:\(port)/metrics")?.1 ?? ""
                        let deadLettered = metrics.split(separator: "\n")
                            .filter { $0.hasPrefix("shipboard_messages_total{") && $0.contains(#"outcome="dead_lettered""#) }
                            .compactMap { Double($0.split(separator: " ").last ?? "") }
                        #expect(deadLettered.allSatisfy { $0 == 0 }, "\(deadLettered)")
                        #expect(metrics.contains(#"outcome="held""#), "the consumer held messages during the outage")
                    }
                }
                for probe in probes {
                    probe.signal(SIGTERM)
                    #expect(try await probe.waitForExit() == 0)
                }
            }
            _ = try? await consumerPool.query("DROP SCHEMA \(identifier: fixture.schema) CASCADE")
            await consumerPool.close()
            await fixture.drop()
        }
    }

    /// The probe's fire-and-forget command.
    struct ProbeRecord: CommandContract {
        typealias Result = Acknowledged
        static let messageType = "test.record"
        var value: String
    }

    static func produce(_ fixture: MessagingFixture, producer: Int, transactions: Int, ids: IDList) async throws {
        let outbox = Outbox(schema: fixture.schema)
        for transactionIndex in 0..<transactions {
            var written: [UUID] = []
            try await fixture.pool.withTransaction { transaction in
                written = []
                for index in 0..<5 {
                    let lane = "REL-\((producer * 7 + transactionIndex + index) % 25)"
                    let command = Envelope(ProbeRecord(value: "c\(producer)-\(transactionIndex)-\(index)"), correlationId: lane, actor: "test")
                    try await outbox.enqueue(command, exchange: Exchanges.commands, routingKey: fixture.routingKey, in: transaction)
                    let event = Envelope(Recorded(value: "e\(producer)-\(transactionIndex)-\(index)"), correlationId: lane, actor: "test")
                    try await outbox.enqueue(event, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
                    written += [command.id, event.id]
                }
            }
            await ids.add(written)
        }
    }
}

/// Ids of the messages committed so far.
actor IDList {
    private(set) var all: [UUID] = []
    func add(_ more: [UUID]) { all += more }
}
