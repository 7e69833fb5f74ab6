import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import Testing

/// A command whose handler publishes an event under a correlation id of the caller's choice.
struct EmitUnder: CommandContract {
    typealias Result = Acknowledged
    static let messageType = "test.outbox_emit_under"
    var correlationId: String
}

/// What the broker would refuse is refused when the row is enqueued (issue 8, item 1).
@Suite("Outbox limits on enqueue")
struct OutboxLimitsTests {
    static let oversized = String(repeating: "C", count: 300)

    static func row(
        correlationId: String = "REL-000001", type: String? = nil, actor: String = "alice",
        routingKey: String = "test.happened", headers: [String: String] = [:], body: String = "x"
    ) throws -> Outbox.Row {
        var envelope = Envelope(Recorded(value: body), correlationId: correlationId, actor: actor)
        if let type { envelope.type = type }
        return try Outbox.Row(envelope, exchange: Exchanges.events, routingKey: routingKey, headers: headers)
    }

    static func violations(_ row: Outbox.Row, limits: OutboxLimits = OutboxLimits()) -> CommandError? {
        do {
            try limits.validate(row)
            return nil
        } catch {
            return error
        }
    }

    @Test("each limit names its field and rule, never the value")
    func limitsNameFields() throws {
        #expect(Self.violations(try Self.row()) == nil)
        #expect(Self.violations(try Self.row(correlationId: String(repeating: "é", count: 127))) == nil)  // 254 bytes
        let cases: [(Outbox.Row, String)] = [
            (try Self.row(correlationId: Self.oversized), "correlationId"),
            (try Self.row(correlationId: String(repeating: "é", count: 128)), "correlationId"),  // 256 bytes
            (try Self.row(correlationId: ""), "correlationId"),
            (try Self.row(correlationId: "REL\n1"), "correlationId"),
            (try Self.row(type: Self.oversized), "type"),
            (try Self.row(actor: Self.oversized), "actor"),
            (try Self.row(routingKey: Self.oversized), "routingKey"),
            (try Self.row(headers: [Self.oversized: "v"]), "headers"),
            (try Self.row(headers: ["traceparent": String(repeating: "v", count: 5000)]), "headers.traceparent"),
            (try Self.row(headers: ["x": "a\u{0}b"]), "headers.x"),
        ]
        for (row, field) in cases {
            let error = try #require(Self.violations(row), "no violation for \(field)")
            #expect(error.kind == .validation)
            #expect(error.rule == "messages.limits")
            #expect(error.fields?.keys.contains(field) == true, "\(field): \(error.fields ?? [:])")
            #expect(!"\(error) \(error.fields ?? [:])".contains(Self.oversized))
        }
        let small = OutboxLimits(maxBodyBytes: 100)
        #expect(Self.violations(try Self.row(body: String(repeating: "b", count: 200)), limits: small)?.fields?["body"] != nil)
    }

    @Test("enqueueing a 300-byte correlation id throws the validation error and nothing is written")
    func enqueueRefusesOversizedCorrelationId() async throws {
        let fixture = try await MessagingFixture.make("limits")
        let outbox = Outbox(schema: fixture.schema)
        let envelope = Envelope(Recorded(value: "v"), correlationId: Self.oversized, actor: "test")
        let thrown = await #expect(throws: (any Error).self) {
            try await fixture.pool.withTransaction { transaction in
                try await transaction.query(
                    "INSERT INTO \(identifier: fixture.schema).effects (message_id, value) VALUES (\(envelope.id), 'business change')")
                try await outbox.publish([envelope], in: transaction)
            }
        }
        let refusal = (thrown as? PostgresTransactionError)?.underlying as? CommandError ?? thrown as? CommandError
        #expect(refusal?.kind == .validation)
        #expect(refusal?.rule == "messages.limits")
        #expect(refusal?.fields?["correlationId"] != nil)
        let written = try await fixture.pool.query(
            "SELECT (SELECT count(*) FROM \(identifier: fixture.schema).outbox)::int8 + (SELECT count(*) FROM \(identifier: fixture.schema).effects)::int8"
        ).single().decode(at: 0, as: Int.self)
        #expect(written == 0)
        await fixture.drop()
    }

    @Test("a command whose handler would publish under a 300-byte correlation id is refused with the validation error; nothing is written")
    func handlerRefusalReachesTheCaller() async throws {
        let fixture = try await MessagingFixture.make("limitsrpc")
        var topology = fixture.topology(retry: .standard)
        // An exchange of its own (named after the queue): no other test process's consumer
        // can take and answer this test's commands.
        topology.exchanges.append(.init(name: fixture.queue, kind: .topic, durable: false))
        topology.bindings.append(.init(queue: fixture.queue, exchange: fixture.queue, routingKey: EmitUnder.routingKey))
        var handlers = MessageHandlers()
        handlers.onCommand(EmitUnder.self) { envelope, context in
            try await context.transaction.query(
                "INSERT INTO \(identifier: fixture.schema).effects (message_id, value) VALUES (\(envelope.id), 'business change')")
            try await context.publish(Recorded(value: "caused"), correlationId: envelope.payload.correlationId)
            return Acknowledged()
        }
        try await withAMQP(topology: topology) { client in
            let runner = ConsumerRunner(queue: fixture.queue, schema: fixture.schema, handlers: handlers,
                                        pool: fixture.pool, amqp: client)
            let requests = RequestClient(amqp: client, exchange: fixture.queue)
            try await running({ try await runner.run() }) {
                let accepted = try await requests.send(
                    Envelope(EmitUnder(correlationId: "REL-000001"), correlationId: "REL-000001", actor: "alice"),
                    timeout: .seconds(10))
                #expect(accepted == Acknowledged())
                do {
                    _ = try await requests.send(
                        Envelope(EmitUnder(correlationId: Self.oversized), correlationId: "REL-000002", actor: "alice"),
                        timeout: .seconds(10))
                    Issue.record("the command was accepted")
                } catch let error as CommandError {
                    #expect(error.kind == .validation)
                    #expect(error.rule == "messages.limits")
                    #expect(error.fields?["correlationId"] != nil)
                }
            }
            await requests.close()
        }
        #expect(try await fixture.effectCount() == 1)
        let rows = try await fixture.pool.query("SELECT correlation_id FROM \(identifier: fixture.schema).outbox")
        #expect(try rows.map { try $0.decode(at: 0, as: String.self) } == ["REL-000001"])
        await fixture.drop()
    }
}
