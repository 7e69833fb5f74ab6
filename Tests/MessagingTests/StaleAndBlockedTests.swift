import AMQP
import Contracts
import Foundation
import Messaging
import ShipboardTestSupport
import Testing

@testable import AMQP

/// What the runtime does with deliveries of a lost connection, and with requests a blocked
/// broker cannot take.
@Suite("Messaging: stale deliveries and a blocked broker", .serialized)
struct StaleAndBlockedTests {
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

    @Test("a request the blocked broker cannot take is 'unavailable' and is never executed, also after the alarm clears")
    func blockedRequestIsNotSent() async throws {
        try await FaultBroker.exclusively {
            let fixture = try await MessagingFixture.make("blocked")
            try await withAMQP(url: "SHIPBOARD_TEST_FAULT_AMQP_URL", topology: RequestReplyTests.commandTopology(fixture)) { client in
                let requests = RequestClient(amqp: client)
                let runner = ConsumerRunner(
                    queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                    pool: fixture.pool, amqp: client)
                try await running({ try await runner.run() }) {
                    // The reply stream is open and the service answers before the alarm.
                    let before = Envelope(Record(value: "before"), correlationId: "REL-1", actor: "alice")
                    let answered = try await requests.send(before, timeout: .seconds(10))
                    #expect(answered == RecordResult(stored: "before"))
                    let refused = Envelope(Record(value: "during the alarm"), correlationId: "REL-1", actor: "alice")
                    try await FaultBroker.withAlarm {
                        // The broker blocks a connection when it publishes during the alarm: a
                        // message nobody receives makes it do so.
                        let blocked = await eventually(timeout: .seconds(10)) {
                            let probe = AMQPMessage(exchange: Exchanges.events, routingKey: "blocked.probe", body: Data("{}".utf8))
                            try? await client.publish(probe, timeout: .milliseconds(200))
                            return await client.isBlocked
                        }
                        #expect(blocked)
                        do {
                            _ = try await requests.send(refused, timeout: .seconds(2))
                            Issue.record("a request went through a blocked broker")
                        } catch {
                            #expect((error as? CommandError)?.kind == .unavailable, "\(error)")
                        }
                    }
                    // After the alarm: the refused request was never taken, so it never runs.
                    let after = Envelope(Record(value: "after"), correlationId: "REL-1", actor: "alice")
                    let result = try await requests.send(after, timeout: .seconds(20))
                    #expect(result == RecordResult(stored: "after"))
                    try await Task.sleep(for: .seconds(1))
                }
                #expect(try await fixture.effects().map(\.1) == ["before", "after"])
                await requests.close()
            }
            await fixture.drop()
        }
    }
}
