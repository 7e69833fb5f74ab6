import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

@Suite("Outbox and relay")
struct OutboxRelayTests {
    /// Commits `count` events over `correlations` releases, one transaction per event.
    static func commit(_ count: Int, correlations: Int, fixture: MessagingFixture) async throws -> [UUID] {
        let outbox = Outbox(schema: fixture.schema)
        var ids: [UUID] = []
        for index in 0..<count {
            let envelope = Envelope(Recorded(value: "\(index)"), correlationId: "REL-\(index % correlations)", actor: "test")
            try await fixture.pool.withTransaction { transaction in
                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
            }
            ids.append(envelope.id)
        }
        return ids
    }

    @Test("committed events are published once each, in commit order per correlation id, by two relays at once")
    func twoRelaysPublishEachRowOnceInOrder() async throws {
        let fixture = try await MessagingFixture.make("relay")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 200)
            let ids = try await Self.commit(600, correlations: 3, fixture: fixture)
            let relays = (0..<2).map { _ in
                OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client, batchSize: 50,
                            pollInterval: .milliseconds(100))
            }
            var received: [(correlation: String, value: Int)] = []
            var seen: [String: Int] = [:]
            try await running({ try await relays[0].run() }) {
                try await running({ try await relays[1].run() }) {
                    for try await delivery in consumer {
                        let envelope = try ContractCoding.decode(Envelope<Recorded>.self, from: delivery.body)
                        received.append((envelope.correlationId, Int(envelope.payload.value) ?? -1))
                        seen[envelope.id.uuidString, default: 0] += 1
                        try await delivery.ack()
                        if received.count == ids.count { break }
                    }
                }
            }
            #expect(Set(seen.keys) == Set(ids.map(\.uuidString)))
            #expect(seen.values.allSatisfy { $0 == 1 })
            for correlation in ["REL-0", "REL-1", "REL-2"] {
                let values = received.filter { $0.correlation == correlation }.map(\.value)
                #expect(values == values.sorted(), "out of order for \(correlation)")
            }
            // A relay marks its rows after the broker's confirm, so the last marks may commit
            // just after the consumer has seen the messages.
            #expect(try await eventually {
                try await fixture.pool.query(
                    "SELECT count(*)::int8 FROM \(identifier: fixture.schema).outbox WHERE published_at IS NULL"
                ).single().decode(at: 0, as: Int.self) == 0
            })
            // Nothing more arrives: no row went out twice.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await client.currentConnection().queueCounts(fixture.queue).messages == 0)
        }
        await fixture.drop()
    }

    @Test("a rolled-back transaction publishes nothing; pruning removes old published rows only")
    func rollbackAndPrune() async throws {
        let fixture = try await MessagingFixture.make("prune")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let outbox = Outbox(schema: fixture.schema)
            let relay = OutboxRelay(outbox: outbox, pool: fixture.pool, amqp: client, retention: .seconds(60))
            await #expect(throws: (any Error).self) {
                try await fixture.pool.withTransaction { transaction in
                    try await outbox.enqueue(
                        Envelope(Recorded(value: "ghost"), correlationId: "REL-9", actor: "t"),
                        exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
                    throw MessagingTestError("business rule failed")
                }
            }
            _ = try await Self.commit(3, correlations: 1, fixture: fixture)
            #expect(try await relay.relayBatch() == 3)
            #expect(try await relay.relayBatch() == 0)
            try await fixture.pool.query(
                "UPDATE \(identifier: fixture.schema).outbox SET published_at = now() - interval '2 minutes' WHERE seq IN (SELECT min(seq) FROM \(identifier: fixture.schema).outbox)")
            #expect(try await relay.prune() == 1)
            #expect(try await client.currentConnection().queueCounts(fixture.queue).messages == 3)
        }
        await fixture.drop()
    }
}
