import AMQP
import Contracts
import Foundation
import Images
import Messaging
import Postgres
import ShipboardTestSupport
import TestingCore

/// shipboard-testing's handlers in a ConsumerRunner over the real servers, with a testing
/// schema, a build schema and store folders of their own, and helpers that put what
/// shipboard-build and the test runs would have recorded in place.
final class AcceptanceHarness: Sendable {
    let schema: String
    let buildSchema: String
    let pool: PostgresPool
    let folders: TestingFolders
    let requests: RequestClient
    private let root: String
    private let client: AMQPClient
    private let queue: String
    /// A commands exchange of its own: no other consumer of `testing.#` answers these commands.
    private let exchange: String
    private let tasks: [Task<Void, Never>]

    init(keepVersions: Int) async throws {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        schema = "acc_\(suffix)"
        buildSchema = "accb_\(suffix)"
        pool = PostgresPool(configuration: configuration, maxConnections: 4)
        try await pool.query("SELECT public.shipboard_create_testing_schema(\(schema))")
        try await pool.query("SELECT public.shipboard_create_build_schema(\(buildSchema))")
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("shipboard-acceptance-\(suffix)")
        folders = TestingFolders(imageStore: root + "/images", dmlStore: root + "/dml", workRoot: root + "/work", keepVersions: keepVersions)
        for folder in [folders.imageStore, folders.dmlStore, folders.workRoot] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        queue = "test.testing.\(schema)"
        exchange = "test.commands.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges + [.init(name: exchange, kind: .topic, durable: false)])
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(exchange, "testing.#")]))
        client = AMQPClient(configuration: try AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_AMQP_URL")), topology: topology)
        let handlers = TestingCommandHandlers(
            schema: schema, buildSchema: buildSchema, settings: folders, limits: TestRunLimits(timeout: .seconds(10), outputBytes: 4096))
        let runner = ConsumerRunner(queue: queue, schema: schema, handlers: handlers.handlers(), pool: pool, amqp: client)
        let client = client
        tasks = [Task { await client.run() }, Task { try? await runner.run() }]
        requests = RequestClient(amqp: client, exchange: exchange)
        _ = try await client.currentConnection(timeout: .seconds(20))
    }

    /// Starts a harness, runs `body` with it and closes it, also when `body` throws.
    static func run(keepVersions: Int = 5, _ body: (AcceptanceHarness) async throws -> Void) async throws {
        let harness = try await AcceptanceHarness(keepVersions: keepVersions)
        do {
            try await body(harness)
        } catch {
            try? await harness.close()
            throw error
        }
        try await harness.close()
    }

    /// Sends `command` as `actor` and waits for the reply (a refusal is thrown as `CommandError`).
    func send<C: CommandContract>(_ command: C, as actor: String) async throws(CommandError) -> C.Result {
        try await requests.send(Envelope(command, correlationId: "acceptance-test", actor: actor), timeout: .seconds(15))
    }

    /// The refusal `command` gets, or nil when it was accepted.
    func refusal<C: CommandContract>(_ command: C, as actor: String) async -> CommandError? {
        do {
            _ = try await send(command, as: actor)
            return nil
        } catch {
            return error
        }
    }

    /// What shipboard-build leaves for a built image: `bytes` (random when nil) in the build
    /// store, the spec saved by `specSavedBy`, and the build, requested by `requestedBy`.
    func build(
        _ release: String, name: String = "payroll", version: String, bytes: Data? = nil,
        requestedBy: String = "shipboard-planning", specSavedBy: String = "bea"
    ) async throws -> (buildId: Int64, sha256: String) {
        let content = bytes ?? Data((0..<4096).map { _ in UInt8.random(in: 0...255) })
        let source = root + "/source-\(UUID().uuidString)"
        try content.write(to: URL(fileURLWithPath: source))
        let digest = try DirectoryImageStore(root: folders.imageStore).add(fileAt: source, expected: nil)
        let manifest = ImageManifest(format: 1, name: name, version: version, releaseKey: release, targetClasses: [], files: [])
        try await pool.query(
            """
            INSERT INTO \(identifier: buildSchema).image_specs (release_key, name, version, saved_by)
            VALUES (\(release), \(name), \(version), \(specSavedBy))
            ON CONFLICT (release_key) DO UPDATE SET name = excluded.name, version = excluded.version, saved_by = excluded.saved_by
            """)
        let id = try await pool.query(
            """
            INSERT INTO \(identifier: buildSchema).image_builds (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(release), 'build', 1, 'built', \(digest.hex), \(Int64(content.count)), \(json: manifest)::jsonb, \(requestedBy))
            RETURNING id
            """).single().decode(at: 0, as: Int64.self)
        return (id, digest.hex)
    }

    /// A finished test run of the build, as the test-run handler records one.
    func testRun(_ release: String, _ build: (buildId: Int64, sha256: String), failed: Int = 0) async throws -> Int64 {
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).test_runs
                (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed, requested_by, started_at)
            VALUES (\(UUID()), \(release), 'test', \(build.buildId), \(build.sha256), \(failed == 0 ? "passed" : "failed"), 5, \(failed),
                    'shipboard-planning', now())
            RETURNING id
            """).single().decode(at: 0, as: Int64.self)
    }

    /// A built and tested image of `release`, ready for a decision: its run id and digest.
    func testedImage(_ release: String, name: String = "payroll", version: String, failed: Int = 0, bytes: Data? = nil) async throws -> (runId: Int64, sha256: String) {
        let built = try await build(release, name: name, version: version, bytes: bytes)
        return (try await testRun(release, built, failed: failed), built.sha256)
    }

    /// Event types in the outbox, in order.
    func events() async throws -> [String] {
        try await pool.query("SELECT message_type FROM \(identifier: schema).outbox ORDER BY seq").map { try $0.decode(at: 0, as: String.self) }
    }

    /// The digests in the DML store.
    func dmlFiles() throws -> [String] {
        try DirectoryImageStore(root: folders.dmlStore).digests().map(\.hex)
    }

    /// `name@version`'s state, and who retired it and why when it is retired.
    func entryState(_ name: String, _ version: String) async throws -> String {
        try await pool.query(
            """
            SELECT state || coalesce(':' || retired_by || ':' || retired_reason, '')
            FROM \(identifier: schema).dml_entries WHERE name = \(name) AND version = \(version)
            """).single().decode(at: 0, as: String.self)
    }

    func close() async throws {
        await requests.close()
        tasks[1].cancel()
        _ = await tasks[1].result
        if let connection = try? await client.currentConnection(timeout: .seconds(10)) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteExchange(exchange)
        }
        tasks[0].cancel()
        _ = await tasks[0].result
        try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        try await pool.query("DROP SCHEMA \(identifier: buildSchema) CASCADE")
        await pool.close()
        try? FileManager.default.removeItem(atPath: root)
    }
}
