import AMQP
import Contracts
import Foundation
import Messaging
import ShipboardTestSupport
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

    /// Answers `request` as a service would.
    static func reply(_ client: AMQPClient, to request: AMQPDelivery, _ result: RecordResult) async throws {
        try await client.publish(AMQPMessage(
            exchange: "", routingKey: request.properties.replyTo ?? "",
            body: ContractCoding.encode(CommandReply.success(result)),
            properties: AMQPProperties(correlationID: request.properties.correlationID, type: "reply", deliveryMode: 1)))
    }

    @Test("no reply yet: the request is resent with the same envelope id until one comes; a late reply is ignored")
    func resendsWithTheSameEnvelope() async throws {
        let fixture = try await MessagingFixture.make("resend")
        try await withAMQP(topology: Self.commandTopology(fixture)) { client in
            // A service that loses its first reply (its reply publish failed), then answers the
            // resent copy, and finally sends the lost reply late.
            let copies = try await client.consume(queue: fixture.queue, prefetch: 10)
            let responder = Task { () throws -> [UUID] in
                var seen: [AMQPDelivery] = []
                for try await copy in copies {
                    try await copy.ack()
                    seen.append(copy)
                    guard seen.count == 2 else { continue }
                    try await Self.reply(client, to: copy, RecordResult(stored: "answered"))
                    try await Task.sleep(for: .milliseconds(300))
                    try await Self.reply(client, to: seen[0], RecordResult(stored: "late"))
                    break
                }
                return try seen.map { try ContractCoding.decode(EnvelopeHeader.self, from: $0.body).id }
            }
            let requests = Self.requests(client, fixture, resendAfter: .milliseconds(300))
            let command = Envelope(Record(value: "once"), correlationId: "REL-1", actor: "alice")
            #expect(try await requests.send(command, timeout: .seconds(5)) == RecordResult(stored: "answered"))
            #expect(try await responder.value == [command.id, command.id], "resent with the same envelope id")
            try await Task.sleep(for: .milliseconds(500))  // the late reply has come and gone
            let inFlight = await requests.inFlight
            #expect(inFlight.requests == 0 && inFlight.timers == 0)
            await copies.cancel()
            await requests.close()
            await Self.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("each request's timer ends with its reply: a closed client is released at once, not after its timeouts")
    func timersEndWithTheirReplies() async throws {
        try await Self.withRecordingService("timers") { fixture, client, _ in
            weak var released: RequestClient?
            do {
                let requests = Self.requests(client, fixture)
                released = requests
                for index in 0..<20 {
                    let command = Envelope(Record(value: "timer \(index)"), correlationId: "REL-\(index)", actor: "alice")
                    _ = try await requests.send(command, timeout: .seconds(120))
                }
                #expect(await requests.inFlight.timers == 0)
                await requests.close()
            }
            #expect(await eventually(timeout: .seconds(5)) { released == nil }, "no timer keeps the client alive")
        }
    }

    @Test("a request that reaches the service after its deadline is answered with a timeout refusal and never executed")
    func expiredRequestsAreNotExecuted() async throws {
        let fixture = try await MessagingFixture.make("expired")
        try await withAMQP(topology: Self.commandTopology(fixture)) { client in
            let requests = Self.requests(client, fixture)
            // Nobody consumes yet: the request waits in the queue past its deadline.
            let late = Envelope(Record(value: "too late"), correlationId: "REL-1", actor: "alice")
            do {
                _ = try await requests.send(late, timeout: .milliseconds(500))
                Issue.record("a request with no consumer got a reply")
            } catch {
                #expect((error as? CommandError)?.kind == .timeout)
            }
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: client)
            try await running({ try await runner.run() }) {
                // The service works again: a fresh request runs.
                let fresh = Envelope(Record(value: "in time"), correlationId: "REL-1", actor: "alice")
                let result = try await requests.send(fresh, timeout: .seconds(5))
                #expect(result == RecordResult(stored: "in time"))
                // The late one (requests are not ordered among themselves) is answered, not run.
                let recorded = try await eventually {
                    try await fixture.pool.query("SELECT 1 FROM \(identifier: fixture.schema).inbox WHERE message_id = \(late.id)").count == 1
                }
                #expect(recorded)
            }
            #expect(try await fixture.effects().map(\.1) == ["in time"])
            let stored = try await fixture.pool.query(
                "SELECT reply FROM \(identifier: fixture.schema).inbox WHERE message_id = \(late.id)").single().decode(at: 0, as: Data.self)
            let answer = try ContractCoding.decode(CommandReply<RecordResult>.self, from: stored)
            guard case .failure(let refusal) = answer else { throw MessagingTestError("the late request was executed") }
            #expect(refusal.kind == .timeout && refusal.rule == "messages.deadline")
            let dead = try await client.currentConnection().queueCounts(MessagingTopology.deadLetterQueue(for: fixture.queue))
            #expect(dead.messages == 0, "refused, not dead-lettered")
            await requests.close()
            await Self.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("a reply stream that ends is reopened: after the broker client restarts, requests get their replies")
    func replyStreamReopens() async throws {
        let fixture = try await MessagingFixture.make("reopen")
        let topology = Self.commandTopology(fixture)
        try await withAMQP(topology: topology) { service in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: service)
            try await running({ try await runner.run() }) {
                let configuration = try AMQPConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL"))
                let client = AMQPClient(configuration: configuration, topology: topology, backoff: .init(initial: .milliseconds(50)))
                let requests = Self.requests(client, fixture)
                var clientRun = Task { await client.run() }
                _ = try await client.currentConnection(timeout: .seconds(30))
                let first = Envelope(Record(value: "before"), correlationId: "REL-1", actor: "alice")
                #expect(try await requests.send(first, timeout: .seconds(5)) == RecordResult(stored: "before"))
                // The client stops (its reply stream ends with it) and starts again.
                clientRun.cancel()
                await clientRun.value
                clientRun = Task { await client.run() }
                defer { clientRun.cancel() }
                _ = try await client.currentConnection(timeout: .seconds(30))
                let second = Envelope(Record(value: "after"), correlationId: "REL-1", actor: "alice")
                #expect(try await requests.send(second, timeout: .seconds(5)) == RecordResult(stored: "after"))
                await requests.close()
            }
            await Self.cleanUp(service, fixture)
        }
        await fixture.drop()
    }

    @Test("the connection drops after the broker took a request: it is resent with the same id and the stored reply comes back (not 'unavailable'); it ran once")
    func outcomeUnknownIsResent() async throws {
        let fixture = try await MessagingFixture.make("unknown")
        let topology = Self.commandTopology(fixture)
        let arrived = Flag()
        var handlers = recordingHandlers(schema: fixture.schema)
        handlers.onCommand(Record.self) { envelope, context in
            if envelope.payload.value == "ran once" { await arrived.set() }
            try await context.transaction.query(
                "INSERT INTO \(identifier: fixture.schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
            return RecordResult(stored: envelope.payload.value)
        }
        try await withAMQP(topology: topology) { service in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: handlers, pool: fixture.pool, amqp: service)
            try await running({ try await runner.run() }) {
                // The requester reaches the broker through a proxy the test controls.
                let url = try MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL")
                let proxy = try TCPProxy(forwardingTo: url)
                let client = AMQPClient(
                    configuration: try AMQPConfiguration(url: proxy.rewrite(url: url)), topology: topology,
                    backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(500)))
                let clientRun = Task { await client.run() }
                _ = try await client.currentConnection(timeout: .seconds(30))
                let requests = Self.requests(client, fixture)
                _ = try await requests.send(Envelope(Record(value: "warm up"), correlationId: "REL-1", actor: "alice"), timeout: .seconds(10))
                // Slow the path, and cut the connection once the request has reached the service:
                // its confirm (and reply) never come back on that connection.
                proxy.delay(.milliseconds(1_000))
                let command = Envelope(Record(value: "ran once"), correlationId: "REL-2", actor: "alice")
                let cutter = Task {
                    _ = await eventually(timeout: .seconds(20)) { await arrived.value }
                    proxy.pass()
                    proxy.resetAll()
                }
                let result = try await requests.send(command, timeout: .seconds(20))
                #expect(result == RecordResult(stored: "ran once"))
                await cutter.value
                #expect(try await fixture.effects().map(\.1).filter { $0 == "ran once" }.count == 1)
                await requests.close()
                clientRun.cancel()
                await proxy.close()
            }
            await Self.cleanUp(service, fixture)
        }
        await fixture.drop()
    }
}
