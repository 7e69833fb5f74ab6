import AMQP
import Contracts
import Foundation
import Messaging
import Testing

/// Each test sends its commands to an exchange of its own: `test.record` is every test's
/// routing key, and other test processes (other checkouts) share the broker.
@Suite("Request/reply over direct reply-to", .serialized)
struct RequestReplyTests {
    /// The commands exchange of `fixture`'s tests.
    static func commandExchange(_ fixture: MessagingFixture) -> String { "\(fixture.queue).commands" }

    /// The fixture's queue bound to `routingKeys` on its own commands exchange.
    static func commandTopology(_ fixture: MessagingFixture, routingKeys: [String] = [Record.routingKey]) -> AMQPTopology {
        var topology = fixture.topology()
        topology.exchanges.append(.init(name: commandExchange(fixture), kind: .topic, durable: false))
        for key in routingKeys {
            topology.bindings.append(.init(queue: fixture.queue, exchange: commandExchange(fixture), routingKey: key))
        }
        return topology
    }

    /// A request client for `fixture`'s commands exchange.
    static func requests(_ client: AMQPClient, _ fixture: MessagingFixture, resendAfter: Duration = .seconds(2)) -> RequestClient {
        RequestClient(amqp: client, exchange: commandExchange(fixture), resendAfter: resendAfter)
    }

    /// Removes the fixture's queue and exchange from the broker.
    static func cleanUp(_ client: AMQPClient, _ fixture: MessagingFixture) async {
        guard let connection = try? await client.currentConnection() else { return }
        try? await connection.deleteQueue(fixture.queue)
        try? await connection.deleteExchange(commandExchange(fixture))
    }

    /// A recording consumer on a fixture's queue, bound to `routingKeys` on the fixture's
    /// commands exchange, and a RequestClient; runs `body` while the consumer runs, then cleans up.
    static func withRecordingService(
        _ name: String, routingKeys: [String] = [Record.routingKey],
        _ body: (MessagingFixture, AMQPClient, RequestClient) async throws -> Void
    ) async throws {
        let fixture = try await MessagingFixture.make(name)
        try await withAMQP(topology: commandTopology(fixture, routingKeys: routingKeys)) { client in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: client)
            let requests = Self.requests(client, fixture)
            try await running({ try await runner.run() }) { try await body(fixture, client, requests) }
            await requests.close()
            await cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("a command gets its result; a refusal is a typed error with no effect; a repeat gets the same reply")
    func commandReplies() async throws {
        try await Self.withRecordingService("rpc") { fixture, _, requests in
            let command = Envelope(Record(value: "alpha"), correlationId: "REL-000001", actor: "alice")
            let result = try await requests.send(command, timeout: .seconds(5))
            #expect(result == RecordResult(stored: "alpha"))
            // The same request again (e.g. a client retry): same reply, no second effect.
            #expect(try await requests.send(command, timeout: .seconds(5)) == result)
            #expect(try await fixture.effectCount() == 1)

            let refused = Envelope(Record(value: "refuse"), correlationId: "REL-000001", actor: "alice")
            await #expect(throws: CommandError(.conflict, "cannot record 'refuse'", rule: "test.no_refuse")) {
                try await requests.send(refused, timeout: .seconds(5))
            }
            #expect(try await fixture.effectCount() == 1)
        }
    }

    @Test("a repeated request whose handler trips over its own first effect (a unique key) gets the first reply, not a retry")
    func repeatTrippingOnItsOwnEffect() async throws {
        try await Self.withRecordingService("rpcuniq") { fixture, _, requests in
            // A second effect with the same value is a unique violation (a database error, not a refusal).
            try await fixture.pool.query("CREATE UNIQUE INDEX ON \(identifier: fixture.schema).effects (value)")
            let command = Envelope(Record(value: "once"), correlationId: "REL-000001", actor: "alice")
            let first = try await requests.send(command, timeout: .seconds(5))
            let started = ContinuousClock.now
            #expect(try await requests.send(command, timeout: .seconds(5)) == first)
            #expect(ContinuousClock.now - started < .seconds(2), "answered at once, not after retries")
            #expect(try await fixture.effectCount() == 1)
        }
    }

    /// `test.record` as a sender with another idea of its payload would send it.
    struct MisshapenRecord: CommandContract {
        typealias Result = RecordResult
        static let messageType = Record.messageType
        var value: Int
    }

    /// A command the consumer has no handler for.
    struct Unheard: CommandContract {
        typealias Result = RecordResult
        static let messageType = "test.unheard"
    }

    @Test("a request that cannot be read, or that nobody handles, is answered with a validation error at once and dead-lettered")
    func malformedRequestsAreAnswered() async throws {
        try await Self.withRecordingService("rpcbad", routingKeys: [Record.routingKey, Unheard.routingKey]) { fixture, client, requests in
            let started = ContinuousClock.now
            do {
                _ = try await requests.send(Envelope(MisshapenRecord(value: 7), correlationId: "REL-1", actor: "alice"), timeout: .seconds(8))
                Issue.record("a misshapen command was accepted")
            } catch let error as CommandError {
                #expect(error.kind == .validation && error.rule == "messages.malformed")
                #expect(error.fields?["payload.value"] != nil, "\(error)")
            }
            do {
                _ = try await requests.send(Envelope(Unheard(), correlationId: "REL-1", actor: "alice"), timeout: .seconds(8))
                Issue.record("a command without handler was accepted")
            } catch let error as CommandError {
                #expect(error.kind == .validation && error.rule == "messages.unknown_type")
            }
            // Answered, not timed out.
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(try await fixture.effectCount() == 0)
            let dead = try await client.consume(queue: MessagingTopology.deadLetterQueue(for: fixture.queue), prefetch: 10)
            var reasons: [String] = []
            for try await letter in dead {
                reasons.append(letter.properties.headers[MessageHeaders.error]?.stringValue ?? "")
                try await letter.ack()
                if reasons.count == 2 { break }
            }
            #expect(reasons.contains { $0.contains("payload does not match test.record") })
            #expect(reasons.contains { $0.contains("no handler for test.unheard") })
        }
    }

    @Test("a request to a service that is down times out within its limit")
    func timeout() async throws {
        let fixture = try await MessagingFixture.make("down")
        try await withAMQP(topology: Self.commandTopology(fixture)) { client in
            let requests = Self.requests(client, fixture)
            let started = ContinuousClock.now
            let command = Envelope(Record(value: "nobody listens"), correlationId: "REL-1", actor: "alice")
            do {
                _ = try await requests.send(command, timeout: .milliseconds(800))
                Issue.record("a request with no consumer got a reply")
            } catch {
                #expect((error as? CommandError)?.kind == .timeout)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(800) && elapsed < .milliseconds(2_000))
            await Self.cleanUp(client, fixture)
            await requests.close()
        }
        await fixture.drop()
    }
}
