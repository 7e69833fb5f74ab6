import AMQP
import Contracts
import Foundation
import Messaging
import ShipboardTestSupport
import Testing

/// What a requester sees when things go wrong between it and the service: lost replies,
/// lost confirms, late requests, a reply stream that ends, timers that outlive replies.
@Suite("Request/reply outcomes: resends, deadlines, timers, the reply stream", .serialized)
struct RequestOutcomeTests {
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
        try await withAMQP(topology: RequestReplyTests.commandTopology(fixture)) { client in
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
            let requests = RequestReplyTests.requests(client, fixture, resendAfter: .milliseconds(300))
            let command = Envelope(Record(value: "once"), correlationId: "REL-1", actor: "alice")
            #expect(try await requests.send(command, timeout: .seconds(5)) == RecordResult(stored: "answered"))
            #expect(try await responder.value == [command.id, command.id], "resent with the same envelope id")
            try await Task.sleep(for: .milliseconds(500))  // the late reply has come and gone
            let inFlight = await requests.inFlight
            #expect(inFlight.requests == 0 && inFlight.timers == 0)
            await copies.cancel()
            await requests.close()
            await RequestReplyTests.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("each request's timer ends with its reply: a closed client is released at once, not after its timeouts")
    func timersEndWithTheirReplies() async throws {
        try await RequestReplyTests.withRecordingService("timers") { fixture, client, _ in
            weak var released: RequestClient?
            do {
                let requests = RequestReplyTests.requests(client, fixture)
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

    @Test("requests waiting at once share one timer: each is resent while unanswered and times out at its own deadline, then no timer is left")
    func oneTimerForAllWaitingRequests() async throws {
        let fixture = try await MessagingFixture.make("onetimer")
        try await withAMQP(topology: RequestReplyTests.commandTopology(fixture)) { client in
            // Nobody answers: every request waits for its deadline (two different ones).
            let requests = RequestReplyTests.requests(client, fixture, resendAfter: .milliseconds(200))
            let started = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: (Int, CommandError.Kind?, Duration).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let timeout: Duration = index.isMultiple(of: 2) ? .milliseconds(800) : .milliseconds(1_600)
                        do {
                            _ = try await requests.send(
                                Envelope(Record(value: "wait \(index)"), correlationId: "REL-\(index)", actor: "alice"), timeout: timeout)
                            return (index, nil, ContinuousClock.now - started)
                        } catch {
                            return (index, (error as? CommandError)?.kind, ContinuousClock.now - started)
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(400))
                let waiting = await requests.inFlight
                #expect(waiting.requests == 12 && waiting.timers == 1, "\(waiting)")
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (index, kind, elapsed) in outcomes {
                #expect(kind == .timeout, "request \(index) ended \(String(describing: kind))")
                let deadline: Duration = index.isMultiple(of: 2) ? .milliseconds(800) : .milliseconds(1_600)
                #expect(elapsed >= deadline && elapsed < deadline + .milliseconds(700), "request \(index) ended after \(elapsed)")
            }
            // Resent while unanswered: every request's envelope sits in the queue several times.
            let queued = try await client.currentConnection().queueCounts(fixture.queue)
            #expect(queued.messages >= 12 * 3, "\(queued.messages) copies queued")
            let after = await requests.inFlight
            #expect(after.timers == 0 && after.requests == 0)
            await requests.close()
            await RequestReplyTests.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("a request that reaches the service after its deadline is answered with a timeout refusal and never executed")
    func expiredRequestsAreNotExecuted() async throws {
        let fixture = try await MessagingFixture.make("expired")
        try await withAMQP(topology: RequestReplyTests.commandTopology(fixture)) { client in
            let requests = RequestReplyTests.requests(client, fixture)
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
            await RequestReplyTests.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("a request whose handler failed for a transient reason is not retried past its deadline: the retry answers timeout and runs nothing")
    func retriesStopAtTheDeadline() async throws {
        let fixture = try await MessagingFixture.make("retrydeadline")
        try await withAMQP(topology: RequestReplyTests.commandTopology(fixture)) { client in
            // The first attempt fails; the retry comes 1 s later, after the caller's 500 ms.
            let failures = FailureBudget(1)
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema, failures: failures),
                pool: fixture.pool, amqp: client, retry: RetryPolicy(delays: [.seconds(1)], maxAttempts: 5))
            let requests = RequestReplyTests.requests(client, fixture)
            try await running({ try await runner.run() }) {
                let command = Envelope(Record(value: "once only in time"), correlationId: "REL-1", actor: "alice")
                do {
                    _ = try await requests.send(command, timeout: .milliseconds(500))
                    Issue.record("a request whose handler failed was answered in time")
                } catch {
                    #expect((error as? CommandError)?.kind == .timeout)
                }
                let answered = try await eventually(timeout: .seconds(10)) {
                    try await fixture.pool.query("SELECT 1 FROM \(identifier: fixture.schema).inbox WHERE message_id = \(command.id)").count == 1
                }
                #expect(answered, "the retry settled the request")
                let stored = try await fixture.pool.query(
                    "SELECT reply FROM \(identifier: fixture.schema).inbox WHERE message_id = \(command.id)"
                ).single().decode(at: 0, as: Data.self)
                guard case .failure(let refusal) = try ContractCoding.decode(CommandReply<RecordResult>.self, from: stored) else {
                    throw MessagingTestError("the request was executed after its deadline")
                }
                #expect(refusal.kind == .timeout && refusal.rule == "messages.deadline")
            }
            #expect(await failures.calls == 1, "tried once, then answered without running the handler")
            #expect(try await fixture.effects().isEmpty)
            await requests.close()
            await RequestReplyTests.cleanUp(client, fixture)
        }
        await fixture.drop()
    }

    @Test("a reply stream that ends is reopened: after the broker client restarts, requests get their replies")
    func replyStreamReopens() async throws {
        let fixture = try await MessagingFixture.make("reopen")
        let topology = RequestReplyTests.commandTopology(fixture)
        try await withAMQP(topology: topology) { service in
            let runner = ConsumerRunner(
                queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                pool: fixture.pool, amqp: service)
            try await running({ try await runner.run() }) {
                let configuration = try AMQPConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL"))
                let client = AMQPClient(configuration: configuration, topology: topology, backoff: .init(initial: .milliseconds(50)))
                let requests = RequestReplyTests.requests(client, fixture)
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
            await RequestReplyTests.cleanUp(service, fixture)
        }
        await fixture.drop()
    }

    @Test("the connection drops after the broker took a request: it is resent with the same id and the stored reply comes back (not 'unavailable'); it ran once")
    func outcomeUnknownIsResent() async throws {
        let fixture = try await MessagingFixture.make("unknown")
        let topology = RequestReplyTests.commandTopology(fixture)
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
                let requests = RequestReplyTests.requests(client, fixture)
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
            await RequestReplyTests.cleanUp(service, fixture)
        }
        await fixture.drop()
    }
}
