import AMQP
import Contracts
import Foundation
import Messaging
import MetricsTestKit
import Postgres
import Testing

/// Operators see failed rows and retry or discard them, through `shipboard-admin` run as a
/// separate process; the relay's gauges show the backlog (issue 8, item 1).
@Suite("Outbox administration and metrics")
struct OutboxAdministrationTests {
    /// The result of one `shipboard-admin` run.
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the built `shipboard-admin` with `arguments`, against the test database (as the
    /// owner: test schemas are not granted to the service role) unless `environment` says otherwise.
    static func admin(_ arguments: [String], environment overrides: [String: String?] = [:]) async throws -> Run {
        let process = Process()
        var environment = ProcessInfo.processInfo.environment
        environment["SHIPBOARD_DATABASE_URL"] = try MessagingTestEnvironment.value("SHIPBOARD_TEST_DATABASE_URL")
        for (name, value) in overrides { environment[name] = value }
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes to the end before waiting, so a full pipe never stalls the child.
        async let out = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
        let (outData, errData) = await (out, err)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return Run(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                   errors: String(decoding: errData, as: UTF8.self))
    }

    /// The built `shipboard-admin`: next to the test bundle in the build folder.
    static func binary() throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("shipboard-admin")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw MessagingTestError("shipboard-admin not found next to the tests: build with `swift build --build-tests`")
    }

    static func listed(_ fixture: MessagingFixture) async throws -> [OutboxFailedRow] {
        let run = try await admin(["outbox", "list", "--schema", fixture.schema, "--json"])
        #expect(run.status == 0, "\(run.errors)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([OutboxFailedRow].self, from: Data(run.output.utf8))
    }

    @Test("shipboard-admin lists failed rows, retries one or all, discards one; the rows behind a discarded row go out")
    func listRetryDiscardThroughTheCLI() async throws {
        let fixture = try await MessagingFixture.make("admin")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 100)
            let missing = "test.missing.\(fixture.schema)"
            let stuckA = try await OutboxTestSupport.force(fixture, correlationId: "REL-A", exchange: missing, value: "stuck-a")
            try await OutboxTestSupport.commit(["a1"], correlationId: "REL-A", fixture: fixture)
            let stuckB = try await OutboxTestSupport.force(fixture, correlationId: "REL-B", exchange: missing, value: "stuck-b")
            let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    pollInterval: .milliseconds(50), maxAttempts: 1)
            #expect(try await relay.relayBatch() == 0)
            var failed = try await Self.listed(fixture)
            #expect(failed.map(\.messageID) == [stuckA, stuckB])
            #expect(failed.first?.attempts == 1 && failed.first?.correlationId == "REL-A")
            #expect(failed.first?.lastError.contains("404") == true)
            let table = try await Self.admin(["outbox", "list", "--schema", fixture.schema])
            #expect(table.status == 0 && table.output.contains(stuckA.uuidString.lowercased()))

            // Retry one: pending again with fresh attempts; it fails again (the exchange is still missing).
            let retried = try await Self.admin(["outbox", "retry", "--schema", fixture.schema, "--id", stuckA.uuidString])
            #expect(retried.status == 0 && retried.output.contains("retried 1 row"), "\(retried.errors)")
            #expect(try await OutboxTestSupport.state(of: stuckA, in: fixture) == .init(
                published: false, attempts: 0, failed: false, discarded: false, lastError: failed.first?.lastError))
            #expect(try await relay.relayBatch() == 0)
            #expect(try await OutboxTestSupport.state(of: stuckA, in: fixture).failed)

            // Retry all: both pending again.
            let all = try await Self.admin(["outbox", "retry", "--schema", fixture.schema, "--all"])
            #expect(all.status == 0 && all.output.contains("retried 2 rows"), "\(all.errors)")
            #expect(try await Self.listed(fixture).isEmpty)
            #expect(try await relay.relayBatch() == 0)
            failed = try await Self.listed(fixture)
            #expect(failed.count == 2)

            // Discard A's row: kept for the record, never published; a1 behind it goes out.
            let discarded = try await Self.admin(["outbox", "discard", "--schema", fixture.schema, "--id", stuckA.uuidString])
            #expect(discarded.status == 0 && discarded.output.contains("discarded 1 row"), "\(discarded.errors)")
            #expect(try await OutboxTestSupport.state(of: stuckA, in: fixture).discarded)
            #expect(try await Self.listed(fixture).map(\.messageID) == [stuckB])
            #expect(try await relay.relayBatch() == 1)
            #expect(try await OutboxTestSupport.receive(consumer) { $0.count >= 1 } == ["a1"])
            #expect(try await !OutboxTestSupport.state(of: stuckA, in: fixture).published)

            // Mistakes are reported: unknown row (1), bad usage (64), missing setting (2).
            let unknown = try await Self.admin(["outbox", "discard", "--schema", fixture.schema, "--id", UUID().uuidString])
            #expect(unknown.status == 1 && unknown.errors.contains("no failed row"))
            let usage = try await Self.admin(["outbox", "retry", "--schema", fixture.schema])
            #expect(usage.status == 64)
            let unset = try await Self.admin(["outbox", "list", "--schema", fixture.schema],
                                             environment: ["SHIPBOARD_DATABASE_URL": nil])
            #expect(unset.status == 2 && unset.errors.contains("SHIPBOARD_DATABASE_URL"))
        }
        await fixture.drop()
    }

    @Test("the relay's gauges show pending rows, the oldest one's age and failed rows")
    func metricsShowTheBacklog() async throws {
        let fixture = try await MessagingFixture.make("gauges")
        let metrics = TestMetrics()
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            try await OutboxTestSupport.commit(["p1", "p2"], correlationId: "REL-1", fixture: fixture)
            try await fixture.pool.query(
                "UPDATE \(identifier: fixture.schema).outbox SET created_at = now() - interval '90 seconds' WHERE seq = (SELECT min(seq) FROM \(identifier: fixture.schema).outbox)")
            let failed = try await OutboxTestSupport.force(fixture, correlationId: "REL-2", value: "bad")
            try await fixture.pool.query(
                "UPDATE \(identifier: fixture.schema).outbox SET failed_at = now(), attempts = 3, last_error = 'test' WHERE message_id = \(failed)")
            let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    pollInterval: .milliseconds(50), metricsInterval: .milliseconds(100), metricsFactory: metrics)
            let dimensions = [("schema", fixture.schema)]
            let statistics = try await relay.refreshMetrics()
            #expect(statistics.pending == 2 && statistics.failed == 1 && statistics.oldestPendingAge >= 90)
            #expect(try metrics.expectGauge("shipboard_outbox_pending_rows", dimensions).lastValue == 2)
            #expect(try metrics.expectGauge("shipboard_outbox_failed_rows", dimensions).lastValue == 1)
            #expect(try #require(metrics.expectGauge("shipboard_outbox_oldest_pending_seconds", dimensions).lastValue) >= 90)
            // Running, the relay publishes the backlog and refreshes the gauges on its own.
            let drained = try await running({ try await relay.run() }) {
                try await eventually { try metrics.expectGauge("shipboard_outbox_pending_rows", dimensions).lastValue == 0 }
            }
            #expect(drained)
            #expect(try metrics.expectGauge("shipboard_outbox_oldest_pending_seconds", dimensions).lastValue == 0)
            #expect(try metrics.expectGauge("shipboard_outbox_failed_rows", dimensions).lastValue == 1)
            // Counted once the batch has committed, which the gauge may see a moment earlier.
            #expect(try await eventually { try metrics.expectCounter("shipboard_outbox_published_total", dimensions).lastValue == 2 })
        }
        await fixture.drop()
    }
}
