import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import ShipboardTestSupport
import Testing

/// What a consumer received, and the deliveries it holds back unacked until told to ack them.
actor AlarmReceiver {
    private(set) var values: [String] = []
    private var held: [AMQPDelivery] = []
    private var holdFrom: Int

    init(holdFrom: Int) { self.holdFrom = holdFrom }

    func received(_ delivery: AMQPDelivery, value: String) async throws {
        values.append(value)
        if values.count > holdFrom { held.append(delivery) } else { try await delivery.ack() }
    }

    /// Acks what was held back; returns how many.
    func ackHeld() async throws -> Int {
        let count = held.count
        for delivery in held { try await delivery.ack() }
        held.removeAll()
        holdFrom = .max
        return count
    }
}

/// A broker alarm during a relay burst (issue 8, item 3), on the fault node.
@Suite("Outbox relay through a broker alarm", .serialized)
struct OutboxAlarmTests {
    @Test("a memory alarm during a relay burst: consumers keep acking, rows wait with no attempt counted, all arrive after it clears")
    func alarmDuringBurst() async throws {
        try await FaultBroker.exclusively {
            let fixture = try await MessagingFixture.make("alarm")
            try await withAMQP(url: "SHIPBOARD_TEST_FAULT_AMQP_URL", topology: fixture.topology(retry: .standard)) { client in
                let consumer = try await client.consume(queue: fixture.queue, prefetch: 200)
                // The last 20 deliveries before the alarm stay unacked until it is raised.
                let receiver = AlarmReceiver(holdFrom: 80)
                let receiving = Task {
                    for try await delivery in consumer {
                        let envelope = try ContractCoding.decode(Envelope<Recorded>.self, from: delivery.body)
                        try await receiver.received(delivery, value: envelope.payload.value)
                    }
                }
                defer { receiving.cancel() }
                let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                        batchSize: 50, pollInterval: .milliseconds(50), publishTimeout: .milliseconds(500))
                let before = (0..<100).map { "before-\($0)" }
                let during = (0..<100).map { "during-\($0)" }
                try await running({ try await relay.run() }) {
                    for index in 0..<5 {
                        try await OutboxTestSupport.commit(
                            before.filter { Int($0.dropFirst(7))! % 5 == index }, correlationId: "REL-\(index)", fixture: fixture)
                    }
                    #expect(await eventually { await receiver.values.count >= 100 })
                    try await FaultBroker.withAlarm {
                        // The consuming connection is not blocked: acks go through.
                        #expect(try await receiver.ackHeld() == 20)
                        for index in 0..<5 {
                            try await OutboxTestSupport.commit(
                                during.filter { Int($0.dropFirst(7))! % 5 == index }, correlationId: "REL-\(index)", fixture: fixture)
                        }
                        try await Task.sleep(for: .seconds(2))
                        // Blocked publishes are an outage: the rows wait, no attempt counted.
                        let (waiting, attempts) = try await fixture.pool.query(
                            "SELECT count(*) FILTER (WHERE published_at IS NULL)::int8, max(attempts)::int8 FROM \(identifier: fixture.schema).outbox"
                        ).single().decode((Int, Int).self)
                        #expect(waiting > 0, "rows wait while the broker is blocked")
                        #expect(attempts == 0)
                    }
                    // After the alarm: everything arrives (duplicates allowed: at least once).
                    #expect(await eventually(timeout: .seconds(60)) { Set(await receiver.values).count >= 200 })
                }
                #expect(Set(await receiver.values) == Set(before + during))
                let stuck = try await fixture.pool.query(
                    "SELECT count(*)::int8 FROM \(identifier: fixture.schema).outbox WHERE attempts > 0 OR failed_at IS NOT NULL"
                ).single().decode(at: 0, as: Int.self)
                #expect(stuck == 0)
            }
            await fixture.drop()
        }
    }
}
