import Foundation
import ShipboardTestSupport
import Testing

@testable import AMQP

/// Tests that stop, kill or freeze the dedicated fault broker; serialized because they
/// share it. Other suites use the main test broker and are unaffected.
@Suite("AMQP under broker faults", .serialized)
struct AMQPFaultTests {
    @Test("publishing and consuming resume after the broker is stopped and started")
    func brokerRestart() async throws {
        try await FaultBroker.exclusively {
            let name = uniqueName("restart")
            try await withClient(try TestEnvironment.faultBroker(), topology: .testRoute(name)) { client in
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
                let collector = DeliveryCollector()
                await collector.start(consumer, ack: true)
                try await client.publish(message(name, "before"))
                #expect(await collector.wait(for: 1).count == 1)

                try await FaultBroker.control("stop")
                await #expect(throws: AMQPError.notConnected) {
                    try await client.publish(message(name, "during"), timeout: .milliseconds(300))
                }
                try await FaultBroker.control("start")

                try await client.publish(message(name, "after"), timeout: .seconds(60))
                let received = await collector.wait(for: 2, timeout: .seconds(30))
                #expect(received.map { String(decoding: $0.body, as: UTF8.self) } == ["before", "after"])
                await collector.stop()
                let connection = try await client.currentConnection()
                try await connection.deleteQueue("\(name).q")
            }
        }
    }

    @Test("every confirmed message survives kill -9 of the broker, and the client reconnects")
    func confirmedMessagesSurviveCrash() async throws {
        try await FaultBroker.exclusively {
            let name = uniqueName("crash")
            try await withClient(try TestEnvironment.faultBroker(), topology: .testRoute(name)) { client in
                let ids = (0..<300).map { "m-\($0)" }
                for batch in stride(from: 0, to: ids.count, by: 100) {
                    try await client.publish(ids[batch..<batch + 100].map { message(name, $0, id: $0) })
                }
                try await FaultBroker.control("kill")
                try await FaultBroker.control("start")
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 100, timeout: .seconds(60))
                let collector = DeliveryCollector()
                await collector.start(consumer, ack: true)
                let received = await collector.wait(for: ids.count, timeout: .seconds(30))
                #expect(Set(received.compactMap(\.properties.messageID)) == Set(ids))
                await collector.stop()
                let connection = try await client.currentConnection()
                try await connection.deleteQueue("\(name).q")
            }
        }
    }

    @Test("a frozen broker is detected within two heartbeat intervals")
    func heartbeatTimeout() async throws {
        try await FaultBroker.exclusively {
            var config = try TestEnvironment.faultBroker()
            config.heartbeat = 1
            let connection = try await AMQPConnection.connect(config)
            let runner = Task { try await connection.run() }
            try await Task.sleep(for: .milliseconds(300))
            try await FaultBroker.control("pause")
            let started = ContinuousClock.now
            let outcome = await runner.result
            let elapsed = ContinuousClock.now - started
            try await FaultBroker.control("resume")
            guard case .failure(let error) = outcome, case .connectionLost(let reason)? = error as? AMQPError else {
                Issue.record("expected a lost connection, got \(outcome)")
                return
            }
            #expect(reason.contains("heartbeat"))
            // Two 1 s heartbeats plus the poll slice; never the 30 s a dead TCP peer could take.
            #expect(elapsed < .milliseconds(3_000))
        }
    }
}
