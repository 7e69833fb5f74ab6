import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import ShipboardTestSupport
import Testing

/// An outage is not the rows' fault (issue 8, items 1 and 2).
@Suite("Outbox relay through an outage")
struct OutboxOutageTests {
    @Test("while the broker is unreachable rows stay pending and count no attempt; the outage is logged once at its start and once at its end")
    func outageCountsNoAttempts() async throws {
        let fixture = try await MessagingFixture.make("relayoutage")
        let logs = LogCapture()
        let client = AMQPClient(
            configuration: try AMQPConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL")),
            topology: fixture.topology(retry: .standard),
            backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(500)))
        // The client's connection loop does not run yet: to the relay the broker is unreachable.
        let ids = try await OutboxTestSupport.commit(["o1", "o2", "o3"], correlationId: "REL-O", fixture: fixture)
        let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                pollInterval: .milliseconds(50), maxAttempts: 1, publishTimeout: .milliseconds(100),
                                logger: logs.logger())
        try await running({ try await relay.run() }) {
            try await Task.sleep(for: .milliseconds(1500))  // several failed rounds
            for id in ids {
                #expect(try await OutboxTestSupport.state(of: id, in: fixture) == .init(
                    published: false, attempts: 0, failed: false, discarded: false, lastError: nil))
            }
            #expect(logs.count(.warning, containing: "cannot publish") == 1)
            // The broker is back.
            let connection = Task { await client.run() }
            defer { connection.cancel() }
            _ = try await client.currentConnection(timeout: .seconds(30))
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 10)
            #expect(try await OutboxTestSupport.receive(consumer) { $0.count >= 3 } == ["o1", "o2", "o3"])
            #expect(await eventually { logs.count(.notice, containing: "publishes again") == 1 })
            #expect(logs.count(.warning, containing: "cannot publish") == 1)
        }
        await fixture.drop()
    }
}
