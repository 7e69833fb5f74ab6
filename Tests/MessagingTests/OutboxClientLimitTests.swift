import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

/// The AMQP client's own limits (issue 8, items 1 and 7).
@Suite("Outbox relay and the AMQP client's limits")
struct OutboxClientLimitTests {
    @Test("a row larger than the client's maximum message size fails at its first attempt; the rest goes out")
    func clientRefusalFailsAtOnce() async throws {
        let fixture = try await MessagingFixture.make("clientlimit")
        let url = try MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL")
        let client = AMQPClient(
            configuration: try AMQPConfiguration(url: url + (url.contains("?") ? "&" : "?") + "max_message_size=4096"),
            topology: fixture.topology(retry: .standard))
        let connection = Task { await client.run() }
        defer { connection.cancel() }
        // Connected first: a relay batch without a connection is an outage, not this test.
        _ = try await client.currentConnection(timeout: .seconds(30))
        let big = try await OutboxTestSupport.commit([String(repeating: "x", count: 10_000)], correlationId: "REL-1", fixture: fixture)[0]
        try await OutboxTestSupport.commit(["small"], correlationId: "REL-2", fixture: fixture)
        let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client)
        #expect(try await relay.relayBatch() == 1)
        let state = try await OutboxTestSupport.state(of: big, in: fixture)
        #expect(state.failed && state.attempts == 1 && !state.published)
        #expect(state.lastError?.contains("maximum message size") == true)
        await fixture.drop()
    }
}
