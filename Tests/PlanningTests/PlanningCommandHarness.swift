import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport

/// A schema of its own with every planning table, a ConsumerRunner with every planning
/// handler on a queue of its own, and a RequestClient that sends commands to it: the
/// request/reply path of shipboard-planning against the real servers.
///
/// Every such consumer binds `planning.#` on the shared commands exchange, so two at once
/// would each get (and answer) the other's commands: ``exclusively(_:)`` keeps them apart,
/// across test suites and test processes.
struct PlanningCommandHarness {
    let schema: String
    let pool: PostgresPool
    let queue: String
    let client: AMQPClient
    let requests: RequestClient
    let runnerTask: Task<Void, any Error>
    let clientTask: Task<Void, Never>

    /// Runs `body` while no other planning command consumer runs on the test broker.
    static func exclusively<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await CrossProcessLock.exclusively("shipboard-planning-commands", body)
    }

    /// Starts a harness, runs `body` with it and stops it, all under ``exclusively(_:)``.
    static func run(_ body: (PlanningCommandHarness) async throws -> Void) async throws {
        try await exclusively {
            let harness = try await start()
            do {
                try await body(harness)
            } catch {
                await harness.stop()
                throw error
            }
            await harness.stop()
        }
    }

    private static func start() async throws -> PlanningCommandHarness {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let schema = "plan_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: 4)
        for function in ["shipboard_create_messaging_tables", "shipboard_create_planning_ci_tables",
                         "shipboard_create_planning_release_tables", "shipboard_create_planning_audit_tables"] {
            try await pool.query(PostgresQuery(unsafeSQL: "SELECT public.\(function)($1)", binds: [PostgresBind(schema)]))
        }
        let queue = "test.planning.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(Exchanges.commands, "planning.#")]))
        let client = AMQPClient(configuration: try AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_AMQP_URL")), topology: topology)
        let clientTask = Task { await client.run() }
        let runner = ConsumerRunner(
            queue: queue, schema: schema, handlers: PlanningCommandHandlers(schema: schema).handlers(), pool: pool, amqp: client)
        let runnerTask = Task { try await runner.run() }
        _ = try await client.currentConnection(timeout: .seconds(20))
        return PlanningCommandHarness(
            schema: schema, pool: pool, queue: queue, client: client, requests: RequestClient(amqp: client),
            runnerTask: runnerTask, clientTask: clientTask)
    }

    /// Sends `command` as `actor` and returns its result or throws its refusal.
    func send<C: CommandContract>(_ command: C, as actor: String = "olivia") async throws(CommandError) -> C.Result {
        try await requests.send(Envelope(command, correlationId: "planning-test", actor: actor), timeout: .seconds(20))
    }

    /// The refusal of `command`, or nil when it was accepted.
    func refusal<C: CommandContract>(_ command: C, as actor: String = "olivia") async -> CommandError? {
        do {
            _ = try await send(command, as: actor)
            return nil
        } catch {
            return error
        }
    }

    /// The message types in the outbox, oldest first.
    func outboxTypes() async throws -> [String] {
        try await pool.query("SELECT message_type FROM \(identifier: schema).outbox ORDER BY seq")
            .map { try $0.decode(at: 0, as: String.self) }
    }

    /// Stops the consumer, deletes the queue and the schema.
    private func stop() async {
        await requests.close()
        runnerTask.cancel()
        _ = await runnerTask.result
        _ = try? await client.currentConnection().deleteQueue(queue)
        clientTask.cancel()
        _ = await clientTask.result
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }
}
