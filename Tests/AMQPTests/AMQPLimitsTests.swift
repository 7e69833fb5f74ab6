import Foundation
import ShipboardTestSupport
import Testing

@testable import AMQP

@Suite("AMQP message size limits and permanent errors")
struct AMQPLimitsTests {
    @Test("a publish above max_message_size fails before touching the socket; a larger delivery is dead-lettered, not delivered")
    func maxMessageSize() async throws {
        let name = uniqueName("maxsize")
        let small = try AMQPConfiguration(url: TestEnvironment.url("SHIPBOARD_TEST_AMQP_URL") + "?max_message_size=1024")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { sender in
            try await withClient(small, topology: .testRoute(name)) { client in
                let big = AMQPMessage(exchange: "\(name).x", routingKey: "k", body: Data(count: 2048), properties: AMQPProperties(messageID: "big"))
                await #expect(throws: AMQPError.invalidArgument(
                    "message body of 2048 bytes exceeds the maximum message size of 1024 bytes")) {
                    try await client.publish(big)
                }
                #expect(await client.isReady)
                // The sender (default limit) gets it in; the small client refuses to take it.
                try await sender.publish(big)
                try await sender.publish(message(name, "fits", id: "fits"))
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
                let collector = DeliveryCollector()
                await collector.start(consumer, ack: true)
                let dead = try await sender.consume(queue: "\(name).dlq", prefetch: 10)
                let deadCollector = DeliveryCollector()
                await deadCollector.start(dead, ack: true)
                #expect(await eventually {
                    let dead = await deadCollector.count
                    let delivered = await collector.count
                    return dead == 1 && delivered == 1
                })
                #expect(await deadCollector.deliveries.first?.properties.messageID == "big")
                #expect(await collector.deliveries.map(\.properties.messageID) == ["fits"])
                await collector.stop()
                await deadCollector.stop()
                let connection = try await sender.currentConnection()
                try await connection.deleteQueue("\(name).q")
                try await connection.deleteQueue("\(name).dlq")
            }
        }
    }

    @Test("re-declaring a queue with other arguments is logged as an error naming the queue and what to do; reconnecting goes on")
    func conflictingDeclarationLogged() async throws {
        let name = uniqueName("406")
        let connection = try await AMQPConnection.connect(try TestEnvironment.broker())
        try await connection.declareQueue(.quorum(name, deliveryLimit: 5))
        let capture = LogCapture()
        let client = AMQPClient(
            configuration: try TestEnvironment.broker(),
            topology: AMQPTopology(queues: [.quorum(name, deliveryLimit: 9)]),
            backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(200)), logger: capture.logger())
        let events = EventRecorder()
        await events.start(client.events)
        let running = Task { await client.run() }
        #expect(await eventually { await events.events.filter { if case .reconnectFailed = $0 { true } else { false } }.count >= 4 })
        running.cancel()
        await running.value
        let errors = capture.all.filter { $0.level == .error }
        #expect(!errors.isEmpty)
        #expect(errors.contains { $0.text.contains("PRECONDITION_FAILED") && $0.text.contains(name) && $0.text.contains("migrate") })
        #expect(await client.isReady == false)
        try await connection.deleteQueue(name)
        await connection.close()
    }

    @Test("a refused login is logged as an error saying what to check, without the password")
    func refusedLoginLogged() async throws {
        var config = try TestEnvironment.broker()
        config.password = "wrong-\(UUID().uuidString)"
        let capture = LogCapture()
        let client = AMQPClient(configuration: config, backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(200)),
                                logger: capture.logger())
        let running = Task { await client.run() }
        #expect(await eventually { capture.all.contains { $0.level == .error } })
        running.cancel()
        await running.value
        let errors = capture.all.filter { $0.level == .error }
        #expect(errors.contains { $0.text.contains("login refused") && $0.text.contains("check the user and password") })
        #expect(!capture.all.contains { $0.text.contains(config.password) })
    }
}
