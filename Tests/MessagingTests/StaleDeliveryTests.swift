import Contracts
import Foundation
import Messaging
import Testing

@testable import AMQP

/// What the consumer runner does with deliveries of a lost connection.
@Suite("Consumer runner: stale deliveries")
struct StaleDeliveryTests {
    @Test("deliveries waiting in lanes when their connection drops are dropped unhandled; the broker's redeliveries are handled once")
    func staleDeliveriesAreDropped() async throws {
        let fixture = try await MessagingFixture.make("stale")
        try await withAMQP(topology: fixture.topology()) { client in
            let inHandler = Flag()
            var handlers = MessageHandlers()
            let schema = fixture.schema
            handlers.on(Recorded.self) { envelope, context in
                if envelope.payload.value == "slow" {
                    await inHandler.set()
                    try await Task.sleep(for: .milliseconds(800))
                }
                let copy = context.redelivered ? "redelivered" : "first"
                try await context.transaction.query(
                    "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value + "@" + copy))")
            }
            // One worker, one at a time: while "slow" runs, the others wait in their lanes.
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client,
                concurrency: 1, batchSize: 1)
            try await ConsumerLaneTests.publish(client, fixture, [("REL-0", "slow"), ("REL-1", "m1"), ("REL-2", "m2"), ("REL-3", "m3")])
            try await running({ try await runner.run() }) {
                #expect(try await eventually { await inHandler.value })
                let consuming = try #require(await client.consuming)
                await consuming.simulateNetworkFailure()
                let done = try await eventually { try await fixture.effectCount() >= 4 }
                #expect(done)
                try await Task.sleep(for: .milliseconds(500))
            }
            let values = Set(try await fixture.effects().map(\.1))
            // "slow" committed before its ack failed; its redelivery was a duplicate. The others
            // were never handled from the dead connection's copies.
            #expect(values == ["slow@first", "m1@redelivered", "m2@redelivered", "m3@redelivered"], "\(values)")
        }
        await fixture.drop()
    }
}
