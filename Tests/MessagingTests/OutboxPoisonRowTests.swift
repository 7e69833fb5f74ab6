import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

/// Rows that cannot be published never stop the relay (issue 8, item 1).
@Suite("Outbox poison rows")
struct OutboxPoisonRowTests {
    @Test("a row with a 300-byte correlation id is marked failed; every other correlation id keeps flowing")
    func oversizedCorrelationIdDoesNotStopTheRelay() async throws {
        let fixture = try await MessagingFixture.make("poison")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 100)
            // The bug report: one command's 300-byte correlation id, the oldest pending row.
            let longCorrelation = String(repeating: "R", count: 300)
            let poison = try await OutboxTestSupport.force(fixture, correlationId: longCorrelation, value: "poison")
            try await OutboxTestSupport.commit(["a1", "a2"], correlationId: "REL-A", fixture: fixture)
            try await OutboxTestSupport.commit(["b1", "b2"], correlationId: "REL-B", fixture: fixture)
            let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    batchSize: 50, pollInterval: .milliseconds(100))
            let values = try await running({ try await relay.run() }) {
                try await OutboxTestSupport.receive(consumer) { $0.count >= 4 }
            }
            #expect(Set(values) == ["a1", "a2", "b1", "b2"])
            #expect(values.filter { $0.hasPrefix("a") } == ["a1", "a2"])
            #expect(values.filter { $0.hasPrefix("b") } == ["b1", "b2"])
            // Breaking the limits cannot be cured by trying again: failed at the first attempt
            // (the relay commits its marks just after the broker's confirms).
            #expect(try await eventually { try await OutboxTestSupport.state(of: poison, in: fixture).failed })
            let state = try await OutboxTestSupport.state(of: poison, in: fixture)
            #expect(state.failed && !state.published && state.attempts == 1)
            #expect(state.lastError?.contains("correlationId") == true)
            #expect(state.lastError?.contains(longCorrelation) == false)
            // More events after it still go out.
            try await OutboxTestSupport.commit(["b3"], correlationId: "REL-B", fixture: fixture)
            #expect(try await relay.relayBatch() == 1)
        }
        await fixture.drop()
    }

    @Test("a row the broker refuses is tried maxAttempts times, then failed; its correlation id waits behind it, others go on")
    func brokerRefusalIsRetriedThenFailed() async throws {
        let fixture = try await MessagingFixture.make("refused")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let consumer = try await client.consume(queue: fixture.queue, prefetch: 100)
            // No such exchange: the broker closes the channel (404) over this message.
            let refused = try await OutboxTestSupport.force(
                fixture, correlationId: "REL-A", exchange: "test.missing.\(fixture.schema)", value: "refused")
            let a1 = try await OutboxTestSupport.commit(["a1"], correlationId: "REL-A", fixture: fixture)[0]
            try await OutboxTestSupport.commit(["b1", "b2"], correlationId: "REL-B", fixture: fixture)
            let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    batchSize: 50, pollInterval: .milliseconds(50), maxAttempts: 3,
                                    attemptBackoff: .milliseconds(100))
            try await running({ try await relay.run() }) {
                let values = try await OutboxTestSupport.receive(consumer) { $0.count >= 2 }
                #expect(values == ["b1", "b2"])
                #expect(try await eventually { try await OutboxTestSupport.state(of: refused, in: fixture).failed })
                // Still nothing of REL-A: a1 waits behind the failed row, and stays pending.
                try await OutboxTestSupport.commit(["b3"], correlationId: "REL-B", fixture: fixture)
                #expect(try await OutboxTestSupport.receive(consumer) { $0.count >= 1 } == ["b3"])
                // Only a1 is left pending. b3's mark commits just after its confirm, so this waits
                // while the relay still runs (stopped first, it could leave b3 confirmed but unmarked).
                #expect(try await eventually {
                    try await fixture.pool.query(
                        "SELECT message_type FROM \(identifier: fixture.schema).outbox WHERE published_at IS NULL AND failed_at IS NULL"
                    ).count == 1
                })
            }
            let state = try await OutboxTestSupport.state(of: refused, in: fixture)
            #expect(state.attempts == 3 && state.failed && !state.published)
            #expect(state.lastError?.contains("404") == true)
            #expect(try await OutboxTestSupport.state(of: a1, in: fixture) == .init(
                published: false, attempts: 0, failed: false, discarded: false, lastError: nil))
        }
        await fixture.drop()
    }

    @Test("a batch is capped by bytes as well as by count; a row larger than the cap goes alone")
    func batchesAreCappedByBytes() async throws {
        let fixture = try await MessagingFixture.make("bytes")
        try await withAMQP(topology: fixture.topology(retry: .standard)) { client in
            let big = String(repeating: "x", count: 100_000)
            try await OutboxTestSupport.commit((0..<5).map { "\($0)" + big }, correlationId: "REL-1", fixture: fixture)
            let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    batchSize: 100, maxBatchBytes: 250_000)
            #expect(try await relay.relayBatch() == 3)
            #expect(try await relay.relayBatch() == 2)
            let alone = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                    maxBatchBytes: 10)
            try await OutboxTestSupport.commit(["y" + big, "z" + big], correlationId: "REL-2", fixture: fixture)
            #expect(try await alone.relayBatch() == 1)
            #expect(try await alone.relayBatch() == 1)
        }
        await fixture.drop()
    }

    @Test("only the message's own faults count as attempts")
    func classification() {
        #expect(OutboxRelay.isRowFault(.invalidArgument("a message property is longer than 255 bytes")))
        #expect(OutboxRelay.isRowFault(.publishNacked(messageID: "m")))
        #expect(OutboxRelay.isRowFault(.publishReturned(messageID: "m", code: 312, reason: "NO_ROUTE")))
        #expect(OutboxRelay.isRowFault(.channelClosed(code: 404, reason: "NOT_FOUND")))
        #expect(!OutboxRelay.isRowFault(.notConnected))
        #expect(!OutboxRelay.isRowFault(.connectionLost(reason: "socket closed")))
        #expect(!OutboxRelay.isRowFault(.connectionFailed(status: -9, reason: "refused")))
        #expect(!OutboxRelay.isRowFault(.confirmTimeout(pending: 3)))
    }
}
