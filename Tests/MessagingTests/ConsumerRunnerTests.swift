import AMQP
import Contracts
import Foundation
import Messaging
import Testing

@Suite("Consumer runner: inbox, retries, dead letters")
struct ConsumerRunnerTests {
    static let fastRetry = RetryPolicy(delays: [.milliseconds(100), .milliseconds(200)], maxAttempts: 3)

    @Test("the same message id published 10 times has one effect")
    func duplicatesHaveOneEffect() async throws {
        let fixture = try await MessagingFixture.make("dup")
        try await withAMQP(topology: fixture.topology()) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: client, concurrency: 4, retry: Self.fastRetry)
            let envelope = Envelope(Recorded(value: "once"), correlationId: "REL-000001", actor: "test")
            let body = try ContractCoding.encode(envelope)
            try await running({ try await runner.run() }) {
                for _ in 0..<10 {
                    try await publishRaw(client, body: body, routingKey: fixture.routingKey, id: envelope.id.uuidString)
                }
                #expect(try await eventually { try await fixture.effectCount() >= 1 })
                try await Task.sleep(for: .milliseconds(500))  // let the other nine arrive
                #expect(try await fixture.effectCount() == 1)
                let inbox = try await fixture.pool.query("SELECT count(*)::int8 FROM \(identifier: fixture.schema).inbox")
                #expect(try inbox.single().decode(at: 0, as: Int.self) == 1)
            }
        }
        await fixture.drop()
    }

    @Test("a poison message dead-letters with its reason and the messages behind it are processed")
    func poisonMessages() async throws {
        let fixture = try await MessagingFixture.make("poison")
        try await withAMQP(topology: fixture.topology()) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: client, retry: Self.fastRetry)
            let dead = try await client.consume(queue: MessagingTopology.deadLetterQueue(for: fixture.queue), prefetch: 10)
            try await running({ try await runner.run() }) {
                try await publishRaw(client, body: Data("not json {".utf8), routingKey: fixture.routingKey, id: "poison-1")
                var unknown = Envelope(Recorded(value: "x"), correlationId: "REL-1", actor: "test")
                unknown.type = "test.never_heard_of"
                try await publishRaw(client, body: ContractCoding.encode(unknown), routingKey: fixture.routingKey, id: "poison-2")
                var future = Envelope(Recorded(value: "x"), correlationId: "REL-1", actor: "test")
                future.version = 99
                try await publishRaw(client, body: ContractCoding.encode(future), routingKey: fixture.routingKey, id: "poison-3")
                for index in 0..<5 {
                    let good = Envelope(Recorded(value: "good \(index)"), correlationId: "REL-1", actor: "test")
                    try await publishRaw(client, body: ContractCoding.encode(good), routingKey: fixture.routingKey, id: good.id.uuidString)
                }
                #expect(try await eventually { try await fixture.effectCount() == 5 })
                var reasons: [String: String] = [:]
                for try await letter in dead {
                    reasons[letter.properties.messageID ?? "?"] = letter.properties.headers[MessageHeaders.error]?.stringValue
                    try await letter.ack()
                    if reasons.count == 3 { break }
                }
                #expect(reasons["poison-1"]?.contains("undecodable envelope") == true)
                #expect(reasons["poison-2"]?.contains("no handler for test.never_heard_of version 1") == true)
                #expect(reasons["poison-3"]?.contains("version 99") == true)
            }
        }
        await fixture.drop()
    }

    @Test("a failing handler is retried with backoff, then dead-lettered with the error and attempt count")
    func retriesThenDeadLetter() async throws {
        let fixture = try await MessagingFixture.make("retry")
        let failures = FailureBudget(Int.max)
        try await withAMQP(topology: fixture.topology()) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema,
                handlers: recordingHandlers(schema: fixture.schema, failures: failures),
                pool: fixture.pool, amqp: client, retry: Self.fastRetry)
            let dead = try await client.consume(queue: MessagingTopology.deadLetterQueue(for: fixture.queue), prefetch: 10)
            try await running({ try await runner.run() }) {
                let envelope = Envelope(Recorded(value: "never"), correlationId: "REL-1", actor: "test")
                let started = ContinuousClock.now
                try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
                var iterator = dead.makeAsyncIterator()
                let letter = try #require(try await iterator.next())
                let elapsed = ContinuousClock.now - started
                #expect(letter.properties.messageID == envelope.id.uuidString)
                #expect(letter.properties.headers[MessageHeaders.attempt] == .int(3))
                #expect(letter.properties.headers[MessageHeaders.error]?.stringValue?.contains("planned failure") == true)
                #expect(await failures.calls == 3)
                // Two delays (100 ms, 200 ms) passed between the three attempts.
                #expect(elapsed >= .milliseconds(300))
                #expect(try await fixture.effectCount() == 0)
                try await letter.ack()
            }
        }
        await fixture.drop()
    }

    @Test("a handler that fails twice and then succeeds has exactly one effect")
    func retrySucceeds() async throws {
        let fixture = try await MessagingFixture.make("recover")
        let failures = FailureBudget(2)
        try await withAMQP(topology: fixture.topology()) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema,
                handlers: recordingHandlers(schema: fixture.schema, failures: failures),
                pool: fixture.pool, amqp: client, retry: Self.fastRetry)
            try await running({ try await runner.run() }) {
                let envelope = Envelope(Recorded(value: "third time"), correlationId: "REL-1", actor: "test")
                try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
                #expect(try await eventually { try await fixture.effectCount() == 1 })
                #expect(await failures.calls == 3)
            }
        }
        await fixture.drop()
    }

    @Test("one failing message in a burst: the others are handled once each, the failing one alone is retried and dead-lettered")
    func failureInsideABatch() async throws {
        let fixture = try await MessagingFixture.make("batch")
        try await withAMQP(topology: fixture.topology()) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema,
                handlers: recordingHandlers(schema: fixture.schema, alwaysFailing: "bad"),
                pool: fixture.pool, amqp: client, concurrency: 1, batchSize: 32, retry: Self.fastRetry)
            let dead = try await client.consume(queue: MessagingTopology.deadLetterQueue(for: fixture.queue), prefetch: 10)
            // Queue the burst before the runner starts, so its first batch holds all of it.
            var envelopes = (0..<40).map { Envelope(Recorded(value: "ok \($0)"), correlationId: "REL-1", actor: "test") }
            envelopes[17] = Envelope(Recorded(value: "bad"), correlationId: "REL-1", actor: "test")
            for envelope in envelopes {
                try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
            }
            try await running({ try await runner.run() }) {
                var iterator = dead.makeAsyncIterator()
                let letter = try #require(try await iterator.next())
                #expect(letter.properties.messageID == envelopes[17].id.uuidString)
                #expect(letter.properties.headers[MessageHeaders.attempt] == .int(3))
                try await letter.ack()
                #expect(try await eventually { try await fixture.effectCount() == 39 })
                let effects = try await fixture.effects()
                #expect(Set(effects.map(\.0)).count == 39)
                #expect(!effects.contains { $0.1 == "bad" })
            }
        }
        await fixture.drop()
    }

    /// An event whose payload holds an enum, as a newer sender might fill it.
    struct Classified: EventContract {
        enum Level: String, Codable, Sendable { case low, high }
        static let messageType = "test.classified"
        var level: Level
    }

    @Test("a payload that does not decode is dead-lettered with the JSON path and the problem, never the value")
    func deadLetterReasonsCarryNoValues() async throws {
        let fixture = try await MessagingFixture.make("reason")
        try await withAMQP(topology: fixture.topology()) { client in
            var handlers = recordingHandlers(schema: fixture.schema)
            handlers.on(Classified.self) { _, _ in }
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client, retry: Self.fastRetry)
            let dead = try await client.consume(queue: MessagingTopology.deadLetterQueue(for: fixture.queue), prefetch: 10)
            try await running({ try await runner.run() }) {
                // The same envelope with a level no version of the contract knows.
                let envelope = Envelope(Classified(level: .high), correlationId: "REL-1", actor: "test")
                let secret = "TOP-SECRET-VALUE-42"
                let body = String(decoding: try ContractCoding.encode(envelope), as: UTF8.self)
                    .replacingOccurrences(of: #""level":"high""#, with: #""level":"\#(secret)""#)
                #expect(body.contains(secret))
                try await publishRaw(client, body: Data(body.utf8), routingKey: fixture.routingKey, id: "secret-1", type: Classified.messageType)
                var iterator = dead.makeAsyncIterator()
                let letter = try #require(try await iterator.next())
                try await letter.ack()
                let reason = try #require(letter.properties.headers[MessageHeaders.error]?.stringValue)
                #expect(reason.contains("payload.level is not a valid value"), "\(reason)")
                #expect(!reason.contains(secret), "\(reason)")
            }
        }
        await fixture.drop()
    }
}
