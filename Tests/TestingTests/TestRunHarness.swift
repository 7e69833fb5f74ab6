import AMQP
import BuildCore
import Contracts
import Foundation
import Images
import Messaging
import Postgres
import ShipboardTestSupport
import TestingCore

/// shipboard-testing's handlers in a ConsumerRunner over the real servers, with a testing
/// schema, a build schema, an image store and a work root of their own; commands go to a
/// queue of its own. No relay runs, so what a handler publishes stays in its outbox to be read.
final class TestRunHarness: Sendable {
    let schema: String
    let buildSchema: String
    let folder: String
    let pool: PostgresPool
    let client: AMQPClient
    let requests: RequestClient
    private let queue: String
    private let exchange: String
    private let tasks: [Task<Void, Never>]

    var store: String { folder + "/images" }
    var workRoot: String { folder + "/work" }

    private init(folder: String, limits: TestRunLimits) async throws {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        schema = "testing_\(suffix)"
        buildSchema = "build_\(suffix)"
        self.folder = folder
        pool = PostgresPool(configuration: configuration, maxConnections: 4)
        try await pool.query("SELECT public.shipboard_create_testing_schema(\(schema))")
        try await pool.query("SELECT public.shipboard_create_build_schema(\(buildSchema))")
        queue = "test.testing.\(schema)"
        exchange = "test.commands.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges + [.init(name: exchange, kind: .topic, durable: false)])
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(exchange, "testing.#")]))
        client = AMQPClient(configuration: try AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_AMQP_URL")), topology: topology)
        let handlers = TestingCommandHandlers(
            schema: schema, buildSchema: buildSchema,
            settings: TestingFolders(imageStore: folder + "/images", dmlStore: folder + "/dml", workRoot: folder + "/work", keepVersions: 5),
            limits: limits)
        try FileManager.default.createDirectory(atPath: folder + "/work", withIntermediateDirectories: true)
        let runner = ConsumerRunner(queue: queue, schema: schema, handlers: handlers.handlers(), pool: pool, amqp: client)
        let client = client
        tasks = [Task { await client.run() }, Task { try? await runner.run() }]
        requests = RequestClient(amqp: client, exchange: exchange)
        _ = try await client.currentConnection(timeout: .seconds(20))
    }

    /// Starts a harness in a fresh folder, runs `body` with it and closes it, also when `body` throws.
    static func run(limits: TestRunLimits = .init(timeout: .seconds(20), outputBytes: 4096),
                    _ body: (TestRunHarness) async throws -> Void) async throws {
        try await TestRunImages.withFolder { folder in
            let harness = try await TestRunHarness(folder: folder, limits: limits)
            do {
                try await body(harness)
            } catch {
                await harness.close()
                throw error
            }
            await harness.close()
        }
    }

    /// Builds `files` as `releaseKey`'s image into the store and records the build as shipboard-build does.
    @discardableResult
    func built(_ files: [String: String], releaseKey: String) async throws -> ImageBuilder.Built {
        let built = try TestRunImages.build(files, releaseKey: releaseKey, in: folder, store: store)
        let manifest = String(decoding: try built.manifest.encoded(), as: UTF8.self)
        try await pool.query(
            """
            INSERT INTO \(identifier: buildSchema).image_builds
                (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(releaseKey), 'build-image', 1, 'built', \(built.sha256), \(built.size), \(manifest)::jsonb, 'bea')
            """)
        return built
    }

    /// Sends `command` as `actor` and waits for the answer (its effect is then committed).
    func send<C: CommandContract>(_ command: C, correlationId: String, as actor: String = "planning") async throws -> C.Result {
        try await requests.send(Envelope(command, correlationId: correlationId, actor: actor), timeout: .seconds(60))
    }

    struct RecordedTest: Equatable {
        var name: String
        var outcome: String
        var exitStatus: Int32?
        var detail: String
        var output: String
    }

    /// The tests recorded for `releaseKey`'s runs, in run and position order.
    func recordedTests(_ releaseKey: String) async throws -> [RecordedTest] {
        try await pool.query(
            """
            SELECT r.name, r.outcome, r.exit_status, r.detail, r.output
            FROM \(identifier: schema).test_results r JOIN \(identifier: schema).test_runs t ON t.id = r.run_id
            WHERE t.release_key = \(releaseKey) ORDER BY t.id, r.position
            """
        ).map { row in
            let (name, outcome, status, detail, output) = try row.decode((String, String, Int32?, String, String).self)
            return RecordedTest(name: name, outcome: outcome, exitStatus: status, detail: detail, output: output)
        }
    }

    /// How many runs `releaseKey` has.
    func runCount(_ releaseKey: String) async throws -> Int {
        try await pool.query("SELECT count(*) FROM \(identifier: schema).test_runs WHERE release_key = \(releaseKey)")
            .single().decode(at: 0, as: Int.self)
    }

    /// The payloads of the `Message` envelopes in the outbox for `releaseKey`, in order.
    func outbox<Message: MessageContract>(_ type: Message.Type, _ releaseKey: String) async throws -> [Message] {
        try await pool.query(
            """
            SELECT body FROM \(identifier: schema).outbox
            WHERE correlation_id = \(releaseKey) AND message_type = \(Message.messageType) ORDER BY seq
            """
        ).map { row in
            let body = try row.decode(at: 0, as: Data.self)
            return try Envelope<Message>(header: try ContractCoding.decode(EnvelopeHeader.self, from: body), body: body).payload
        }
    }

    func close() async {
        await requests.close()
        tasks[1].cancel()
        _ = await tasks[1].result
        if let connection = try? await client.currentConnection(timeout: .seconds(10)) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteExchange(exchange)
        }
        tasks[0].cancel()
        _ = await tasks[0].result
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        _ = try? await pool.query("DROP SCHEMA \(identifier: buildSchema) CASCADE")
        await pool.close()
    }
}
