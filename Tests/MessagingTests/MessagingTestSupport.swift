import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import ShipboardTestSupport
import Testing

enum MessagingTestEnvironment {
    static func value(_ name: String) throws -> String {
        try TestSettings.value(name)
    }
}

struct MessagingTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A schema of its own (outbox, inbox, effects) and unique queue names for one test.
struct MessagingFixture: Sendable {
    let schema: String
    let queue: String
    let routingKey: String
    let pool: PostgresPool

    static func make(_ name: String) async throws -> MessagingFixture {
        let configuration = try PostgresConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "m_\(name)_\(suffix)"
        let pool = PostgresPool(configuration: configuration, maxConnections: 6)
        try await pool.query("SELECT public.shipboard_create_messaging_tables(\(schema))")
        try await pool.query(
            "CREATE TABLE \(identifier: schema).effects (message_id uuid NOT NULL, value text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        return MessagingFixture(schema: schema, queue: "test.\(name).\(suffix)", routingKey: "test.\(name).\(suffix).happened", pool: pool)
    }

    /// The work queue and its dead-letter queue, bound to this fixture's routing key on both exchanges.
    func topology() -> AMQPTopology {
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(Exchanges.events, routingKey), (Exchanges.commands, routingKey)]))
        return topology
    }

    /// The same; retries are in place now, so the policy no longer shapes the topology.
    func topology(retry _: RetryPolicy) -> AMQPTopology { topology() }

    func effectCount() async throws -> Int {
        let rows = try await pool.query("SELECT count(*)::int8 FROM \(identifier: schema).effects")
        return try rows.single().decode(at: 0, as: Int.self)
    }

    func effects() async throws -> [(UUID, String)] {
        try await pool.query("SELECT message_id, value FROM \(identifier: schema).effects ORDER BY at").map {
            try $0.decode((UUID, String).self)
        }
    }

    func drop() async {
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }
}

/// The event the tests send around.
struct Recorded: EventContract, Equatable {
    static let messageType = "test.recorded"
    var value: String
}

/// A command answered with the stored value count.
struct Record: CommandContract {
    typealias Result = RecordResult
    static let messageType = "test.record"
    var value: String
}

struct RecordResult: Codable, Sendable, Equatable {
    var stored: String
}

/// Handlers that record each message as one effect row (no unique key: a second effect
/// of one message would show as a second row).
func recordingHandlers(schema: String, failures: FailureBudget? = nil, alwaysFailing: String? = nil) -> MessageHandlers {
    var handlers = MessageHandlers()
    handlers.on(Recorded.self) { envelope, context in
        if let failures, await failures.take() { throw MessagingTestError("planned failure") }
        if envelope.payload.value == alwaysFailing { throw MessagingTestError("this value always fails") }
        try await context.transaction.query(
            "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
    }
    handlers.onCommand(Record.self) { envelope, context in
        if let failures, await failures.take() { throw MessagingTestError("planned failure") }
        if envelope.payload.value == "refuse" {
            try await context.transaction.query(
                "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), 'must roll back')")
            throw CommandError(.conflict, "cannot record 'refuse'", rule: "test.no_refuse")
        }
        try await context.transaction.query(
            "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
        return RecordResult(stored: envelope.payload.value)
    }
    return handlers
}

/// How many more times a handler should fail (then succeed).
actor FailureBudget {
    private var remaining: Int
    private(set) var calls = 0
    init(_ failures: Int) { remaining = failures }
    func take() -> Bool {
        calls += 1
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}

/// Runs `body` with a connected AMQP client, stopping it afterwards.
func withAMQP<R: Sendable>(
    url variable: String = "SHIPBOARD_TEST_AMQP_URL", topology: AMQPTopology,
    _ body: (AMQPClient) async throws -> R
) async throws -> R {
    let configuration = try AMQPConfiguration(url: MessagingTestEnvironment.value(variable))
    let client = AMQPClient(configuration: configuration, topology: topology,
                            backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(500)))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        _ = try await client.currentConnection(timeout: .seconds(30))
        return try await body(client)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs a service in the background for the duration of `body`.
func running<R: Sendable>(_ run: @escaping @Sendable () async throws -> Void, _ body: () async throws -> R) async throws -> R {
    let task = Task { try await run() }
    defer { task.cancel() }
    return try await body()
}

/// Publishes an envelope straight to the broker (bypassing the outbox), e.g. to simulate
/// a redelivery storm or a foreign sender.
func publishRaw(_ client: AMQPClient, body: Data, routingKey: String, id: String, type: String = Recorded.messageType) async throws {
    try await client.publish(AMQPMessage(
        exchange: Exchanges.events, routingKey: routingKey, body: body,
        properties: AMQPProperties(messageID: id, type: type)))
}
