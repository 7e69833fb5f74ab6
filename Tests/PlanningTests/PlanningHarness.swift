import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport

/// The planning handlers in a ConsumerRunner over the real servers, in a schema and queue
/// of their own, with a RequestClient to send them commands.
final class PlanningHarness: Sendable {
    let schema: String
    let pool: PostgresPool
    let client: AMQPClient
    let requests: RequestClient
    private let queue: String
    /// A commands exchange of its own: consumers of other tests bound to `planning.#` on
    /// `shipboard.commands` never see (and answer) this harness's commands.
    private let exchange: String
    private let tasks: [Task<Void, Never>]

    init(prefix: String = "plan") async throws {
        (schema, pool) = try await PlanningTestSchema.make(prefix)
        queue = "test.planning.\(schema)"
        exchange = "test.commands.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges + [.init(name: exchange, kind: .topic, durable: false)])
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(exchange, "planning.#")]))
        client = AMQPClient(configuration: try AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_AMQP_URL")), topology: topology)
        let runner = ConsumerRunner(
            queue: queue, schema: schema, handlers: PlanningCommandHandlers(schema: schema, auditKeys: TestAuditKeys.keyring).handlers(), pool: pool, amqp: client)
        let client = client
        tasks = [Task { await client.run() }, Task { try? await runner.run() }]
        requests = RequestClient(amqp: client, exchange: exchange)
        _ = try await client.currentConnection(timeout: .seconds(20))
    }

    /// Starts a harness, runs `body` with it and closes it, also when `body` throws.
    static func run(_ body: (PlanningHarness) async throws -> Void) async throws {
        let harness = try await PlanningHarness()
        do {
            try await body(harness)
        } catch {
            try? await harness.close()
            throw error
        }
        try await harness.close()
    }

    /// Sends `command` as `actor` and waits for the reply (a refusal is thrown as `CommandError`).
    func send<C: CommandContract>(_ command: C, as actor: String = "olivia", correlationId: String = "planning-test") async throws(CommandError) -> C.Result {
        try await requests.send(Envelope(command, correlationId: correlationId, actor: actor), timeout: .seconds(10))
    }

    /// The refusal `command` gets, or nil when it was accepted.
    func refusal<C: CommandContract>(_ command: C, as actor: String = "olivia") async -> CommandError? {
        do {
            _ = try await send(command, as: actor)
            return nil
        } catch {
            return error
        }
    }

    /// A release created by alice (coordinator carol), submitted, and approved by dave (added
    /// to the default gate's group): `initiate`/`in_progress`. Returns its key.
    func authorizedRelease(title: String) async throws -> String {
        // A second call in one harness finds dave a member already (refused as a duplicate).
        _ = await refusal(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
        let key = try await send(CreateRelease(title: title, requester: "alice", coordinator: "carol"), as: "alice").releaseKey
        _ = try await send(SubmitRelease(releaseKey: key), as: "alice")
        _ = try await send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave")
        return key
    }

    /// Delivers `event` to the harness's queue as another service would publish it (straight
    /// to the queue, so no other test's consumer sees it); returns its envelope id.
    @discardableResult
    func deliver<Event: EventContract>(_ event: Event, as actor: String, correlationId: String) async throws -> UUID {
        let envelope = Envelope(event, correlationId: correlationId, actor: actor)
        try await client.publish(AMQPMessage(
            exchange: "", routingKey: queue, body: try ContractCoding.encode(envelope),
            properties: AMQPProperties(messageID: envelope.id.uuidString.lowercased(), type: Event.messageType)))
        return envelope.id
    }

    /// The inbox has handled the message `id` (its effect is committed).
    func handled(_ id: UUID) async throws -> Bool {
        try await !pool.query("SELECT 1 FROM \(identifier: schema).inbox WHERE message_id = \(id)").isEmpty
    }

    /// Message types in the outbox, in order.
    func outboxTypes() async throws -> [String] {
        try await pool.query("SELECT message_type FROM \(identifier: schema).outbox ORDER BY seq")
            .map { try $0.decode(at: 0, as: String.self) }
    }

    /// Message types in the outbox for `correlationId`, in order.
    func outboxTypes(_ correlationId: String) async throws -> [String] {
        try await pool.query(
            "SELECT message_type FROM \(identifier: schema).outbox WHERE correlation_id = \(correlationId) ORDER BY seq"
        ).map { try $0.decode(at: 0, as: String.self) }
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
        await pool.close()
    }
}
