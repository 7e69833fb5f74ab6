import AMQP
import Contracts
import Foundation
import Glibc
import BuildCore
import Images
import Messaging
import Postgres
import ShipboardTestSupport
import Testing
import TestingCore

/// shipboard-testing as a separate process over the real servers (the fault broker, held
/// exclusively so no other consumer of `testing.#` competes), driven the way planning drives
/// it: `testing.run_tests` for a release whose image shipboard-build recorded.
@Suite("shipboard-testing as a process")
struct TestingServiceProcessTests {
    struct Seen: Sendable {
        var completed: [TestRunCompleted] = []
        var finished: [TestsFinished] = []
    }

    /// The passing image plus a test that fails when any of the service's own settings reached it.
    static let image = TestRunImages.variant([
        "tests/20-no-secrets.sh": "#!/bin/sh\nif env | grep -e DATABASE -e AMQP -e TOKEN; then exit 1; fi\n",
    ])

    @Test("testing.run_tests over RabbitMQ runs the image's tests in the real binary, which publishes test.completed and testing.tests_finished; an abandoned sandbox is swept at start-up")
    func runsTestsDrivenByCommands() async throws {
        try await Self.withPreparedServers { amqpURL, database, folder in
            try await Self.runTests(in: folder, amqpURL: amqpURL, database: database)
        }
    }

    /// What every test of the binary starts from: the fault broker held exclusively with no
    /// older `testing.*` queues, the test database migrated, and a fresh folder.
    static func withPreparedServers(
        _ body: (_ amqpURL: String, _ database: PostgresConfiguration, _ folder: String) async throws -> Void
    ) async throws {
        try await FaultBroker.exclusively {
            let amqpURL = try TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")
            let setup = try await AMQPConnection.connect(AMQPConfiguration(url: amqpURL))
            for queue in MessagingTopology.shipboard.queues where queue.name.hasPrefix("testing.") {
                try? await setup.deleteQueue(queue.name)
            }
            await setup.close()
            let database = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
            try await MigrationGate.shared.ensureMigrated(database)
            try await TestRunImages.withFolder { folder in try await body(amqpURL, database, folder) }
        }
    }

    /// The scenario, in `folder`: an image built and recorded, the binary started, `testing.run_tests` sent.
    static func runTests(in folder: String, amqpURL: String, database: PostgresConfiguration) async throws {
        let release = "REL-P\(Int.random(in: 10_000...99_999))"
        let owner = PostgresPool(configuration: database, maxConnections: 1)
        let built = try await Self.recordBuild(Self.image, releaseKey: release, folder: folder, owner: owner)
        // A sandbox left by a run killed two hours ago.
        let abandoned = folder + "/work/" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: abandoned + "/target", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: abandoned)

        let process = try Self.launch(folder: folder, amqpURL: amqpURL)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let broker = try await Broker.connect(amqpURL)
        defer { broker.clientTask.cancel() }

        // Sent as planning's outbox would; resent (same envelope) until the starting service answers.
        let command = Envelope(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release, actor: "planning")
        try await Self.sendUntilAnswered(command, broker.requests)
        let seen = try await Self.receive(broker.events, of: release, until: { $0.finished.count >= 1 && $0.completed.count >= 1 })
        let completed = try #require(seen.completed.first)
        #expect(completed.releaseKey == release && completed.outcome == .passed && completed.passed == 8, "\(completed)")
        #expect(completed.imageSha256 == built.sha256)
        #expect(seen.finished == [TestsFinished(releaseKey: release, taskKey: "test-image", succeeded: true, detail: "8 passed, 0 failed")])
        let names = try await owner.query(
            """
            SELECT r.name FROM testing.test_results r JOIN testing.test_runs t ON t.id = r.run_id
            WHERE t.release_key = \(release) ORDER BY r.position
            """
        ).map { try $0.decode(at: 0, as: String.self) }
        #expect(names.contains("tests/20-no-secrets.sh") && names.count == 8)
        await owner.close()
        // The abandoned sandbox was swept, and this run's removed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/work").isEmpty)
        await broker.requests.close()

        try await Self.stop(process)
    }

    @Test("kill -9 in the middle of a run records and publishes nothing; after a restart the redelivered command runs once")
    func crashMidRun() async throws {
        try await Self.withPreparedServers { amqpURL, database, folder in
            try await Self.crashMidRun(in: folder, amqpURL: amqpURL, database: database)
        }
    }

    static func crashMidRun(in folder: String, amqpURL: String, database: PostgresConfiguration) async throws {
        let release = "REL-K\(Int.random(in: 10_000...99_999))"
        let owner = PostgresPool(configuration: database, maxConnections: 1)
        // Slow enough to be killed in the middle of its install.
        let slow = TestRunImages.variant(["install.sh": "#!/bin/sh\nsleep 2\n" + (TestRunImages.passing["install.sh"] ?? "")])
        try await Self.recordBuild(slow, releaseKey: release, folder: folder, owner: owner)
        var process = try Self.launch(folder: folder, amqpURL: amqpURL)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let broker = try await Broker.connect(amqpURL)
        defer { broker.clientTask.cancel() }
        // Up and consuming: a release without an image is answered at once.
        try await Self.sendUntilAnswered(
            Envelope(RunTests(releaseKey: release + "-none", taskKey: "warm-up"), correlationId: release, actor: "planning"), broker.requests)

        // Sent as planning's outbox would: nobody waits for the answer.
        let command = Envelope(RunTests(releaseKey: release, taskKey: "test-image"), correlationId: release, actor: "planning")
        let pending = Task { try? await broker.requests.send(command, timeout: .seconds(120)) }
        defer { pending.cancel() }
        func sandboxes() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder + "/work")) ?? [] }
        let installing = ContinuousClock.now + .seconds(30)
        while !sandboxes().contains(where: { FileManager.default.fileExists(atPath: folder + "/work/\($0)/image/install.sh") })
            && ContinuousClock.now < installing {
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killed = sandboxes()
        #expect(killed.count == 1, "the run never reached its install")
        func runs() async throws -> Int {
            try await owner.query("SELECT count(*) FROM testing.test_runs WHERE release_key = \(release)").single().decode(at: 0, as: Int.self)
        }
        #expect(try await runs() == 0)

        process = try Self.launch(folder: folder, amqpURL: amqpURL, log: "testing-2.log")
        let seen = try await Self.receive(broker.events, of: release, until: { $0.finished.count >= 1 && $0.completed.count >= 1 })
        #expect(seen.finished.map(\.succeeded) == [true] && seen.completed.map(\.outcome) == [.passed])
        #expect(try await runs() == 1)
        // The killed run's sandbox is swept at a start once it is an hour old; the redone run's is gone.
        #expect(sandboxes() == killed)
        await owner.close()
        await broker.requests.close()
        try await Self.stop(process)
    }

    /// Builds `files` as `releaseKey`'s image into the folder's store and records the build in
    /// `build.image_builds` as shipboard-build does.
    @discardableResult
    static func recordBuild(_ files: [String: String], releaseKey: String, folder: String, owner: PostgresPool) async throws -> ImageBuilder.Built {
        let built = try TestRunImages.build(files, releaseKey: releaseKey, in: folder, store: folder + "/images")
        let manifest = String(decoding: try built.manifest.encoded(), as: UTF8.self)
        try await owner.query(
            """
            INSERT INTO build.image_builds (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(releaseKey), 'build-image', 1, 'built', \(built.sha256), \(built.size), \(manifest)::jsonb, 'bea')
            """)
        return built
    }

    /// Sends `command` until the (starting) service answers; the same envelope every time.
    static func sendUntilAnswered(_ command: Envelope<RunTests>, _ requests: RequestClient) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            do {
                _ = try await requests.send(command, timeout: .seconds(5))
                return
            } catch {
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        Issue.record("the service never answered")
    }

    /// SIGTERM, then a clean exit within 30 s.
    static func stop(_ process: Process) async throws {
        kill(process.processIdentifier, SIGTERM)
        let stop = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning && process.terminationStatus == 0)
    }

    static func launch(folder: String, amqpURL: String, log: String = "testing.log") throws -> Process {
        try ServiceProcess.launch("shipboard-testing", amqpURL: amqpURL, settings: [
            "SHIPBOARD_DML_HTTP_PORT": "0", "SHIPBOARD_DML_TOKEN": "process-test-token",
            "SHIPBOARD_IMAGE_STORE": folder + "/images", "SHIPBOARD_DML_STORE": folder + "/dml",
            "SHIPBOARD_SANDBOX_ROOT": folder + "/work", "SHIPBOARD_SCRIPT_TIMEOUT_SECONDS": "20",
        ], log: folder + "/" + log)
    }

    /// The test's side of the broker: its events observed, commands sent to the binary.
    struct Broker {
        let clientTask: Task<Void, Never>
        let events: AMQPConsumer
        let requests: RequestClient

        static func connect(_ amqpURL: String) async throws -> Broker {
            let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
            let clientTask = Task { await client.run() }
            return Broker(clientTask: clientTask, events: try await observeEvents(client), requests: RequestClient(amqp: client))
        }
    }

    /// A queue of `test.completed` and `testing.tests_finished`, consumed.
    static func observeEvents(_ client: AMQPClient) async throws -> AMQPConsumer {
        let observer = "test.testing-events.\(UUID().uuidString.prefix(8))"
        try await client.declare(AMQPTopology(
            queues: [.init(name: observer, durable: false, exclusive: false, autoDelete: true)],
            bindings: [TestRunCompleted.messageType, TestStepKind.finishedType].map {
                .init(queue: observer, exchange: Exchanges.events, routingKey: $0)
            }))
        return try await client.consume(queue: observer, prefetch: 50)
    }

    /// `releaseKey`'s events on the observer queue until `until` holds (or 60 s).
    static func receive(_ consumer: AMQPConsumer, of releaseKey: String, until: @escaping @Sendable (Seen) -> Bool) async throws -> Seen {
        try await ServiceProcess.within(.seconds(60)) {
            var seen = Seen()
            for try await delivery in consumer {
                let header = try ContractCoding.decode(EnvelopeHeader.self, from: delivery.body)
                if header.correlationId != releaseKey {
                    // Another release's (a warm-up's): not this scenario's.
                } else if header.type == TestRunCompleted.messageType {
                    seen.completed.append(try Envelope<TestRunCompleted>(header: header, body: delivery.body).payload)
                } else {
                    seen.finished.append(try Envelope<TestsFinished>(header: header, body: delivery.body).payload)
                }
                try await delivery.ack()
                if until(seen) { break }
            }
            return seen
        }
    }
}
