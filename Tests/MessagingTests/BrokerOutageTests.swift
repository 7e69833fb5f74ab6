import AMQP
import Contracts
import Foundation
import Messaging
import ShipboardTestSupport
import Testing

/// Stops the fault broker while a service commits (holding the fault broker lock).
@Suite("Messaging through a broker outage", .serialized)
struct BrokerOutageTests {
    @Test("the broker stops while 1,000 events commit: after it is back, a consumer sees all 1,000, each once in effect")
    func outageDuringCommits() async throws {
        try await FaultBroker.exclusively {
            let fixture = try await MessagingFixture.make("outage")
            let retry = RetryPolicy(delays: [.milliseconds(200)], maxAttempts: 5)
            try await withAMQP(url: "SHIPBOARD_TEST_FAULT_AMQP_URL", topology: fixture.topology()) { client in
                let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                        batchSize: 100, pollInterval: .milliseconds(200))
                let runner = ConsumerRunner(
                    queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                    pool: fixture.pool, amqp: client, prefetch: 50, concurrency: 4, retry: retry)
                try await running({ try await relay.run() }) {
                    try await running({ try await runner.run() }) {
                        let outbox = Outbox(schema: fixture.schema)
                        let outage = Task { try await FaultBroker.control("stop") }
                        var ids: [UUID] = []
                        for index in 0..<1_000 {
                            let envelope = Envelope(Recorded(value: "\(index)"), correlationId: "REL-\(index % 7)", actor: "test")
                            try await fixture.pool.withTransaction { transaction in
                                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
                            }
                            ids.append(envelope.id)
                        }
                        try await outage.value
                        // Whatever the relay managed before the stop, the rest is still pending.
                        try await FaultBroker.control("start")
                        #expect(try await eventually(timeout: .seconds(60)) { try await fixture.effectCount() >= ids.count })
                        try await Task.sleep(for: .milliseconds(500))
                        let effects = try await fixture.effects()
                        #expect(effects.count == ids.count)
                        #expect(Set(effects.map(\.0)) == Set(ids))
                    }
                }
            }
            await fixture.drop()
        }
    }
}
