import AMQP
import Contracts
import Foundation
import Glibc
import Messaging
import Testing

/// The consumer runs as a separate process (`messaging-probe`) that these tests kill.
@Suite("Consumers as separate processes: crashes and shutdown")
struct ProcessCrashTests {
    static func waitForConsumer(_ client: AMQPClient, _ fixture: MessagingFixture, count: Int = 1) async throws {
        let ready = try await eventually(timeout: .seconds(30)) {
            try await client.currentConnection().queueCounts(fixture.queue).consumers == count
        }
        guard ready else { throw MessagingTestError("probe never started consuming") }
    }

    static func publish(_ client: AMQPClient, _ fixture: MessagingFixture, values: [String]) async throws -> [UUID] {
        var ids: [UUID] = []
        for value in values {
            let envelope = Envelope(Recorded(value: value), correlationId: "REL-1", actor: "test")
            try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
            ids.append(envelope.id)
        }
        return ids
    }

    @Test("kill -9 in the middle of a handler: the message is redelivered and its effect happens exactly once")
    func killMidHandler() async throws {
        let fixture = try await MessagingFixture.make("kill")
        try await withAMQP(topology: fixture.topology()) { client in
            let first = try ProbeProcess(fixture: fixture, handlerDelayMs: 3_000)
            try await Self.waitForConsumer(client, fixture)
            _ = try await Self.publish(client, fixture, values: ["crash me"])
            // The handler has inserted its row and sleeps before COMMIT.
            let inHandler = try await eventually(timeout: .seconds(10)) {
                let rows = try await fixture.pool.query(
                    """
                    SELECT count(*)::int8 FROM pg_stat_activity
                    WHERE state = 'idle in transaction' AND application_name = \(ProbeProcess.applicationName(fixture))
                    """)
                return try rows.single().decode(at: 0, as: Int.self) > 0
            }
            #expect(inHandler)
            #expect(try await fixture.effectCount() == 0)
            first.signal(SIGKILL)
            _ = try await first.waitForExit()

            let second = try ProbeProcess(fixture: fixture)
            #expect(try await eventually { try await fixture.effectCount() == 1 })
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await fixture.effectCount() == 1)
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
        await fixture.drop()
    }

    @Test("SIGTERM during a burst: the consumer finishes what it holds and stops; no message is lost or handled twice")
    func sigtermDuringBurst() async throws {
        let fixture = try await MessagingFixture.make("sigterm")
        try await withAMQP(topology: fixture.topology()) { client in
            let first = try ProbeProcess(fixture: fixture, handlerDelayMs: 20, concurrency: 4)
            try await Self.waitForConsumer(client, fixture)
            let ids = try await Self.publish(client, fixture, values: (0..<500).map { "burst \($0)" })
            #expect(try await eventually { try await fixture.effectCount() >= 30 })
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0, "graceful shutdown exits 0")
            let handledBeforeStop = try await fixture.effectCount()
            #expect(handledBeforeStop < ids.count, "the burst was interrupted")

            let second = try ProbeProcess(fixture: fixture)
            #expect(try await eventually(timeout: .seconds(30)) { try await fixture.effectCount() >= ids.count })
            try await Task.sleep(for: .milliseconds(500))
            let effects = try await fixture.effects()
            #expect(effects.count == ids.count)
            #expect(Set(effects.map(\.0)) == Set(ids))
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
        await fixture.drop()
    }

    @Test("configuration errors stop start-up with a message naming the variable, never a secret")
    func configurationErrors() async throws {
        let fixture = try await MessagingFixture.make("config")
        let password = try PostgresURLPassword.of(MessagingTestEnvironment.value("SHIPBOARD_TEST_DATABASE_URL"))
        let cases: [(String, [String: String?])] = [
            ("SHIPBOARD_AMQP_URL", ["SHIPBOARD_AMQP_URL": nil]),
            ("PROBE_CONCURRENCY", ["PROBE_CONCURRENCY": "many"]),
            ("SHIPBOARD_DATABASE_URL", ["SHIPBOARD_DATABASE_URL": "mysql://user:\(password)@host/db"]),
        ]
        for (variable, overrides) in cases {
            let probe = try ProbeProcess(fixture: fixture, environment: overrides)
            let status = try await probe.waitForExit(timeout: .seconds(10))
            let message = probe.standardError()
            #expect(status == 2, "\(variable)")
            #expect(message.contains(variable), "\(message)")
            #expect(!message.contains(password))
        }
        await fixture.drop()
    }
}

enum PostgresURLPassword {
    static func of(_ url: String) -> String {
        URLComponents(string: url)?.password ?? "no-password"
    }
}
