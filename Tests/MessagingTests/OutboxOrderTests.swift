import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

/// Outbox writes: order per correlation id is commit order; one statement text (issue 8, items 5 and 7).
@Suite("Outbox writers")
struct OutboxOrderTests {
    @Test("two writers of one correlation id that lock no common row: the relay publishes in commit order")
    func relayOrderFollowsCommitOrder() async throws {
        let fixture = try await MessagingFixture.make("commitorder")
        let outbox = Outbox(schema: fixture.schema)
        let first = Envelope(Recorded(value: "first-begun"), correlationId: "REL-7", actor: "test")
        let second = Envelope(Recorded(value: "second-begun"), correlationId: "REL-7", actor: "test")
        // The first writer inserts, then works on for a while before committing; the second
        // inserts meanwhile and commits at once. Without writer serialization the first row has
        // the lower seq but commits last.
        let slow = Task {
            try await fixture.pool.withTransaction { transaction in
                try await outbox.enqueue(first, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
                // The insert is queued (PostgresTransaction.enqueue): a statement sends it, lock and all.
                try await transaction.query("SELECT 1", label: "send the queued insert")
                try await Task.sleep(for: .milliseconds(400))
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        // The commit order, read by the database rather than by which task logs first: when the
        // second writer's insert returns, the first row is already committed (visible to its
        // next statement) exactly when the second had to wait for the first to commit.
        let firstCommittedBefore = try await fixture.pool.withTransaction { transaction in
            try await outbox.enqueue(second, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
            return try await transaction.query(
                "SELECT 1 FROM \(identifier: fixture.schema).outbox WHERE message_id = \(first.id)").count == 1
        }
        try await slow.value
        #expect(firstCommittedBefore, "the second writer of REL-7 waited for the first to commit")
        let commits = firstCommittedBefore ? [first.payload.value, second.payload.value] : [second.payload.value, first.payload.value]
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 10)
            let relay = OutboxRelay(outbox: outbox, pool: fixture.pool, amqp: client)
            #expect(try await relay.relayBatch() == 2)
            let published = try await OutboxTestSupport.receive(consumer) { $0.count >= 2 }
            #expect(published == commits)
        }
        await fixture.drop()
    }

    @Test("constant insert texts whatever the number of rows (one for one row, one for several)")
    func constantInsertText() async throws {
        let fixture = try await MessagingFixture.make("onetext")
        let outbox = Outbox(schema: fixture.schema)
        let statements = try await fixture.pool.withTransaction { transaction in
            for count in [1, 3, 7] {
                let envelopes = (0..<count).map { Envelope(Recorded(value: "\($0)"), correlationId: "REL-\($0 % 2)", actor: "t") }
                try await outbox.publish(envelopes, in: transaction)
            }
            try await outbox.enqueue(
                Envelope(Recorded(value: "one"), correlationId: "REL-9", actor: "t"), exchange: Exchanges.events,
                routingKey: fixture.routingKey, headers: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"],
                in: transaction)
            // Statements this session prepared that write this schema's outbox.
            return try await transaction.query(
                "SELECT count(*)::int8 FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO \"' || \(fixture.schema) || '\".outbox%'"
            ).single().decode(at: 0, as: Int.self)
        }
        // Four row counts (1, 3, 7 and the single enqueue): still two statements.
        #expect(statements == 2)
        let rows = try await fixture.pool.query(
            "SELECT correlation_id, headers->>'traceparent' FROM \(identifier: fixture.schema).outbox ORDER BY seq")
        let stored = try rows.map { try $0.decode((String, String?).self) }
        #expect(stored.count == 12)
        #expect(stored.map(\.0).prefix(4) == ["REL-0", "REL-0", "REL-1", "REL-0"])
        #expect(stored.last?.1 == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        await fixture.drop()
    }
}
