import Foundation
import Glibc
import Testing

@testable import AMQP

@Suite("AMQP against the real broker")
struct AMQPRoundTripTests {
    @Test("confirmed publish and consume round trip keeps body and properties")
    func roundTrip() async throws {
        let name = uniqueName("roundtrip")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
            let collector = DeliveryCollector()
            await collector.start(consumer, ack: true)
            let bodies = (0..<50).map { "message \($0) ✓ 'quoted' \\ \u{0}" }
            var messages = bodies.map { message(name, $0) }
            messages[0].properties = AMQPProperties(
                messageID: "id-0", correlationID: "REL-000001", type: "release.created",
                contentType: "application/json", headers: ["traceparent": "00-abc-def-01", "attempt": 3, "flag": true])
            try await client.publish(messages)
            let received = await collector.wait(for: 50)
            #expect(received.map { String(decoding: $0.body, as: UTF8.self) } == bodies)
            let first = try #require(received.first)
            #expect(first.properties.messageID == "id-0")
            #expect(first.properties.correlationID == "REL-000001")
            #expect(first.properties.type == "release.created")
            #expect(first.properties.deliveryMode == 2)
            #expect(first.properties.headers["traceparent"] == .string("00-abc-def-01"))
            #expect(first.properties.headers["attempt"] == .int(3))
            #expect(first.properties.headers["flag"] == .bool(true))
            #expect(first.redelivered == false)
            await collector.stop()
            await consumer.cancel()
        }
    }

    @Test("an unacked message is redelivered, flagged, after the consumer's connection drops")
    func redeliveryAfterDrop() async throws {
        let name = uniqueName("redeliver")
        let config = try TestEnvironment.broker()
        let first = try await AMQPConnection.connect(config)
        try await first.declare(.testRoute(name))
        let stream = try await first.consume(queue: "\(name).q", prefetch: 1)
        let runner = Task { try await first.run() }
        try await first.publish(message(name, "keep me"))
        var iterator = stream.makeAsyncIterator()
        let delivery = try #require(try await iterator.next())
        #expect(delivery.redelivered == false)
        // Drop the TCP connection without an AMQP close and without acking.
        await first.simulateNetworkFailure()
        _ = await runner.result
        await #expect(throws: AMQPError.staleDelivery) { try await delivery.ack() }

        let second = try await AMQPConnection.connect(config)
        let again = try await second.consume(queue: "\(name).q", prefetch: 1)
        let secondRunner = Task { try await second.run() }
        var secondIterator = again.makeAsyncIterator()
        let redelivered = try #require(try await secondIterator.next())
        #expect(String(decoding: redelivered.body, as: UTF8.self) == "keep me")
        #expect(redelivered.redelivered)
        try await redelivered.ack()
        try await second.deleteQueue("\(name).q")
        secondRunner.cancel()
        _ = await secondRunner.result
        await second.close()
    }

    @Test("a rejected message reaches the dead-letter queue")
    func deadLetter() async throws {
        let name = uniqueName("deadletter")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            let work = try await client.consume(queue: "\(name).q", prefetch: 5)
            let dead = try await client.consume(queue: "\(name).dlq", prefetch: 5)
            let deadCollector = DeliveryCollector()
            await deadCollector.start(dead, ack: true)
            try await client.publish(message(name, "poison", id: "poison-1"))
            var iterator = work.makeAsyncIterator()
            let delivery = try #require(try await iterator.next())
            try await delivery.reject(requeue: false)
            let deadLettered = await deadCollector.wait(for: 1)
            #expect(deadLettered.count == 1)
            #expect(deadLettered.first?.properties.messageID == "poison-1")
            #expect(deadLettered.first.map { String(decoding: $0.body, as: UTF8.self) } == "poison")
            await deadCollector.stop()
        }
    }

    @Test("publishing to a missing exchange fails with 404 and the channel recovers")
    func missingExchange() async throws {
        let name = uniqueName("missing")
        let connection = try await AMQPConnection.connect(try TestEnvironment.broker())
        try await connection.declare(.testRoute(name))
        let started = ContinuousClock.now
        var missing = message(name, "lost")
        missing.exchange = "\(name).does-not-exist"
        do {
            try await connection.publish(missing)
            Issue.record("publish to a missing exchange succeeded")
        } catch {
            guard case .channelClosed(let code, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(code == 404)
            #expect(reason.contains("no exchange"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        // The same connection publishes again on a reopened channel.
        try await connection.publish(message(name, "fine"))
        #expect(try await connection.queueCounts("\(name).q").messages == 1)
        try await connection.deleteQueue("\(name).q")
        await connection.close()
    }

    @Test("an unroutable mandatory message is returned as an error")
    func mandatoryReturn() async throws {
        let name = uniqueName("unroutable")
        let connection = try await AMQPConnection.connect(try TestEnvironment.broker())
        try await connection.declareExchange(.init(name: "\(name).x", kind: .topic))
        await #expect(throws: AMQPError.publishReturned(messageID: "r-1", code: 312, reason: "NO_ROUTE")) {
            try await connection.publish(message(name, "nowhere", id: "r-1", mandatory: true))
        }
        try await connection.deleteExchange("\(name).x")
        await connection.close()
    }

    @Test("a message the broker refuses (queue full, reject-publish) is a nack error")
    func nack() async throws {
        let name = uniqueName("full")
        let connection = try await AMQPConnection.connect(try TestEnvironment.broker())
        try await connection.declareQueue(.init(name: name, arguments: ["x-max-length": 1, "x-overflow": "reject-publish"]))
        let messages = ["fits", "overflows"].map {
            AMQPMessage(exchange: "", routingKey: name, body: Data($0.utf8), properties: AMQPProperties(messageID: $0))
        }
        await #expect(throws: AMQPError.publishNacked(messageID: "overflows")) {
            try await connection.publish(messages)
        }
        #expect(try await connection.queueCounts(name).messages == 1)
        try await connection.deleteQueue(name)
        await connection.close()
    }

    @Test("redeclaring with different arguments is a clear 406 error, and the connection stays usable")
    func conflictingDeclaration() async throws {
        let name = uniqueName("conflict")
        let connection = try await AMQPConnection.connect(try TestEnvironment.broker())
        try await connection.declareQueue(.quorum(name, deliveryLimit: 5))
        try await connection.declareQueue(.quorum(name, deliveryLimit: 5))  // idempotent
        await #expect(throws: AMQPError.self) {
            try await connection.declareQueue(.quorum(name, deliveryLimit: 9))
        }
        #expect(try await connection.queueCounts(name).messages == 0)
        try await connection.deleteQueue(name)
        await connection.close()
    }

    @Test("a wrong password is refused without revealing it; an unused port fails fast")
    func connectionErrors() async throws {
        var config = try TestEnvironment.broker()
        config.password = "wrong-password-\(UUID().uuidString)"
        do {
            _ = try await AMQPConnection.connect(config)
            Issue.record("login with a wrong password succeeded")
        } catch {
            guard case .loginRefused = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.description.contains(config.password))
        }
        var closed = try TestEnvironment.broker()
        closed.port = 1
        let started = ContinuousClock.now
        await #expect(throws: AMQPError.self) { _ = try await AMQPConnection.connect(closed) }
        #expect(ContinuousClock.now - started < .seconds(6))
    }
}
