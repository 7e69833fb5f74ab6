import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

/// Order per correlation id, retries in place, and failures that are not the message's fault.
@Suite("Consumer runner: lanes, in-place retries, conflicts and outages")
struct ConsumerLaneTests {
    static let fastRetry = RetryPolicy(delays: [.milliseconds(100), .milliseconds(200)], maxAttempts: 3)

    /// Records `value@attempt` per message; `behaviour` runs first and may sleep or throw.
    static func handlers(
        _ fixture: MessagingFixture, _ behaviour: @escaping @Sendable (String, HandlerContext) async throws -> Void
    ) -> MessageHandlers {
        var handlers = MessageHandlers()
        let schema = fixture.schema
        handlers.on(Recorded.self) { envelope, context in
            try await behaviour(envelope.payload.value, context)
            try await context.transaction.query(
                """
                INSERT INTO \(identifier: schema).effects (message_id, value)
                VALUES (\(envelope.id), \(envelope.payload.value + "@\(context.attempt)"))
                """)
        }
        return handlers
    }

    static func publish(_ client: AMQPClient, _ fixture: MessagingFixture, _ values: [(lane: String, value: String)]) async throws {
        for (lane, value) in values {
            let envelope = Envelope(Recorded(value: value), correlationId: lane, actor: "test")
            try await publishRaw(client, body: ContractCoding.encode(envelope), routingKey: fixture.routingKey, id: envelope.id.uuidString)
        }
    }

    /// Effect values (without the attempt) in the order they were written.
    static func values(_ fixture: MessagingFixture) async throws -> [String] {
        try await fixture.effects().map { String($0.1.split(separator: "@")[0]) }
    }

    @Test("messages of one correlation id are handled one at a time in delivery order, while lanes run in parallel")
    func lanesKeepOrder() async throws {
        let fixture = try await MessagingFixture.make("lanes")
        let concurrency = ConcurrencyGauge()
        try await withAMQP(topology: fixture.topology()) { client in
            // The first message of each lane is slow: without lanes, its successors overtake it.
            let handlers = Self.handlers(fixture) { value, _ in
                await concurrency.enter()
                try await Task.sleep(for: value.hasSuffix("#0") ? .milliseconds(300) : .milliseconds(Int.random(in: 0...10)))
                await concurrency.leave()
            }
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client,
                concurrency: 8, batchSize: 4, retry: Self.fastRetry)
            // Batches of 4 take the heads of 4 lanes: 8 lanes keep at least two workers busy.
            let lanes = (0..<8).map { "REL-\($0)" }
            var messages: [(lane: String, value: String)] = []
            for index in 0..<10 { for lane in lanes { messages.append((lane, "\(lane)#\(index)")) } }
            try await Self.publish(client, fixture, messages)
            try await running({ try await runner.run() }) {
                let done = try await eventually { try await fixture.effectCount() == messages.count }
                #expect(done)
            }
            let written = try await Self.values(fixture)
            for lane in lanes {
                #expect(written.filter { $0.hasPrefix(lane + "#") } == (0..<10).map { "\(lane)#\($0)" }, "\(lane)")
            }
            #expect(await concurrency.maximum >= 2, "lanes are handled in parallel")
        }
        await fixture.drop()
    }

    @Test("a failing message retries in place: its lane waits in order, other lanes go on, the worker is not blocked")
    func retriesKeepOrder() async throws {
        let fixture = try await MessagingFixture.make("inplace")
        let failures = FailureBudget(2)
        try await withAMQP(topology: fixture.topology()) { client in
            let handlers = Self.handlers(fixture) { value, _ in
                if value == "A1", await failures.take() { throw MessagingTestError("planned failure") }
            }
            // One worker: the other lane is handled while A1 waits for its retry.
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client,
                concurrency: 1, batchSize: 1, retry: RetryPolicy(delays: [.milliseconds(300)], maxAttempts: 3))
            try await Self.publish(client, fixture, [("REL-A", "A0"), ("REL-A", "A1"), ("REL-A", "A2"), ("REL-A", "A3"),
                                                     ("REL-B", "B0"), ("REL-B", "B1"), ("REL-B", "B2")])
            try await running({ try await runner.run() }) {
                let done = try await eventually { try await fixture.effectCount() == 7 }
                #expect(done)
            }
            let written = try await fixture.effects().map(\.1)
            #expect(written.filter { $0.hasPrefix("A") } == ["A0@1", "A1@3", "A2@1", "A3@1"])
            #expect(written.filter { $0.hasPrefix("B") } == ["B0@1", "B1@1", "B2@1"])
            let a1 = try #require(written.firstIndex(of: "A1@3"))
            let b2 = try #require(written.firstIndex(of: "B2@1"))
            #expect(b2 < a1, "lane B went on while A1 waited for its retry")
        }
        await fixture.drop()
    }

    @Test("serialization failures and deadlocks rerun at once and are not attempts")
    func conflictsAreNotAttempts() async throws {
        let fixture = try await MessagingFixture.make("conflict")
        let conflicts = FailureBudget(6)
        try await withAMQP(topology: fixture.topology()) { client in
            let handlers = Self.handlers(fixture) { _, context in
                guard await conflicts.take() else { return }
                let code = await conflicts.calls % 2 == 0 ? "serialization_failure" : "deadlock_detected"
                try await context.transaction.query(PostgresQuery(
                    unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'planned conflict' USING ERRCODE = '\(code)'; END $$"))
            }
            // Six conflicts, three attempts allowed: only conflicts that counted could kill it.
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client,
                retry: Self.fastRetry)
            try await Self.publish(client, fixture, [("REL-1", "contended")])
            try await running({ try await runner.run() }) {
                let done = try await eventually { try await fixture.effectCount() == 1 }
                #expect(done)
            }
            #expect(try await fixture.effects().map(\.1) == ["contended@1"])
            #expect(await conflicts.calls == 7)
            let dead = try await client.currentConnection().queueCounts(MessagingTopology.deadLetterQueue(for: fixture.queue))
            #expect(dead.messages == 0)
        }
        await fixture.drop()
    }

    @Test("an unavailable database is waited out: not an attempt, the runner reports not ready meanwhile")
    func unavailableIsNotAnAttempt() async throws {
        let fixture = try await MessagingFixture.make("unavail")
        let outage = FailureBudget(6)
        try await withAMQP(topology: fixture.topology()) { client in
            let handlers = Self.handlers(fixture) { _, _ in
                // What a handler sees when no pooled connection can be had.
                if await outage.take() { throw PostgresPoolError(reason: .acquireTimeout) }
            }
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: client,
                retry: Self.fastRetry)
            let sawNotReady = Flag()
            try await running({ try await runner.run() }) {
                #expect(try await eventually { await runner.readiness() })
                let watcher = Task {
                    while !Task.isCancelled {
                        if await !runner.readiness() { await sawNotReady.set() }
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                }
                defer { watcher.cancel() }
                try await Self.publish(client, fixture, [("REL-1", "patient")])
                #expect(try await eventually { try await fixture.effectCount() == 1 })
                #expect(try await eventually { await runner.readiness() })
            }
            #expect(try await fixture.effects().map(\.1) == ["patient@1"])
            #expect(await sawNotReady.value, "not ready during the outage")
            let dead = try await client.currentConnection().queueCounts(MessagingTopology.deadLetterQueue(for: fixture.queue))
            #expect(dead.messages == 0)
        }
        await fixture.drop()
    }
}

/// The most handlers running at once.
actor ConcurrencyGauge {
    private var current = 0
    private(set) var maximum = 0
    func enter() {
        current += 1
        maximum = max(maximum, current)
    }
    func leave() { current -= 1 }
}

/// A flag set once, read later.
actor Flag {
    private(set) var value = false
    func set() { value = true }
}
