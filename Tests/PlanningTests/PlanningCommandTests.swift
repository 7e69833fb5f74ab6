import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// Planning commands over request/reply against the real servers: the handlers run in a
/// ConsumerRunner, commit state, audit and outbox together, and answer typed errors.
@Suite("Planning commands over request/reply", .serialized)
struct PlanningCommandTests {
    @Test("create, submit, approve (segregation of duties enforced), advance, reject without reason; audit and events follow")
    func releaseThroughCommands() async throws {
        // No other planning command consumer may share the broker meanwhile (PlanningCommandHarness).
        try await PlanningCommandHarness.exclusively { try await releaseThroughCommandsAlone() }
    }

    private func releaseThroughCommandsAlone() async throws {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let schema = "plan_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: 4)
        for function in ["shipboard_create_messaging_tables", "shipboard_create_planning_release_tables",
                         "shipboard_create_planning_audit_tables"] {
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
        let requests = RequestClient(amqp: client)
        defer {
            runnerTask.cancel()
            clientTask.cancel()
        }
        _ = try await client.currentConnection(timeout: .seconds(20))

        func send<C: CommandContract>(_ command: C, as actor: String) async throws(CommandError) -> C.Result {
            try await requests.send(Envelope(command, correlationId: "planning-test", actor: actor), timeout: .seconds(10))
        }

        let created = try await send(CreateRelease(title: "Payroll Q4 'patch' \\ ✓", requester: "alice", coordinator: "carol"), as: "alice")
        #expect(created.phase == .initiate && created.status == .draft)
        let key = created.releaseKey
        #expect(ReleaseKeys.isValid(key))

        #expect(try await send(SubmitRelease(releaseKey: key), as: "alice").status == .pendingApproval)
        for forbidden in ["alice", "carol"] {
            do {
                _ = try await send(ApproveRelease(releaseKey: key), as: forbidden)
                Issue.record("\(forbidden) approved their own release")
            } catch {
                #expect(error.kind == .forbidden)
                #expect(error.rule == "approval.segregation_of_duties")
            }
        }
        #expect(try await send(ApproveRelease(releaseKey: key, comment: "fine"), as: "dave").status == .inProgress)
        #expect(try await send(AdvanceRelease(releaseKey: key), as: "carol").phase == .plan)
        do {
            _ = try await send(RejectRelease(releaseKey: key, reason: "  "), as: "erin")
            Issue.record("a rejection without reason was accepted")
        } catch {
            #expect(error.kind == .validation)
        }
        do {
            _ = try await send(SubmitRelease(releaseKey: "REL-999999"), as: "alice")
            Issue.record("an unknown release was submitted")
        } catch {
            #expect(error.kind == .notFound)
        }

        let audit = AuditTrail(schema: schema)
        let entries = try await audit.entries(releaseKey: key, pool: pool)
        #expect(entries.first?.action == "release.created")
        #expect(entries.contains { $0.action == "release.phase_changed" })
        #expect(try await audit.verify(releaseKey: key, pool: pool) == .intact(entries: entries.count))
        let events = try await pool.query(
            "SELECT message_type FROM \(identifier: schema).outbox WHERE correlation_id = \(key) ORDER BY seq"
        ).map { try $0.decode(at: 0, as: String.self) }
        #expect(events.first == "release.created")
        #expect(events.contains("release.submitted") && events.contains("release.approved") && events.contains("release.phase_changed"))
        await requests.close()
        runnerTask.cancel()
        _ = await runnerTask.result
        try await client.currentConnection().deleteQueue(queue)
        await pool.close()
    }
}
