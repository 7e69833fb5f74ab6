import Foundation
import Testing

@testable import AMQP

/// Consumers across connection loss, pause/resume and cancel, on the shared test broker.
@Suite("AMQP consumers: liveness, pause, cancel, channels")
struct AMQPConsumerLifecycleTests {
    @Test("publishing and consuming use separate connections: losing the publishing one leaves deliveries live and ackable")
    func separateConnections() async throws {
        let name = uniqueName("separate")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
            var iterator = consumer.makeAsyncIterator()
            try await client.publish(message(name, "held"))
            let held = try #require(try await iterator.next())
            let publishing = try #require(await client.publishing)
            #expect(publishing !== held.connection)
            await publishing.simulateNetworkFailure()
            #expect(await eventually {
                let current = await client.publishing
                let ready = await client.isReady
                return current !== publishing && ready
            })
            #expect(await held.isLive)
            try await held.ack()  // still the same consuming connection and channel
            try await client.publish(message(name, "after"))
            let next = try #require(try await iterator.next())
            #expect(String(decoding: next.body, as: UTF8.self) == "after")
            #expect(!next.redelivered)
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }

    @Test("a delivery of a lost connection is not live; buffered copies are dropped and the broker redelivers them")
    func staleDeliveries() async throws {
        let name = uniqueName("stale")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
            var iterator = consumer.makeAsyncIterator()
            let ids = ["a", "b", "c"]
            try await client.publish(ids.map { message(name, $0, id: $0) })
            let first = try #require(try await iterator.next())
            #expect(await first.isLive)
            let consuming = try #require(await client.consuming)
            // Let the other two arrive in the buffer before the connection drops.
            #expect(await eventually { await consuming.unsettledDeliveries == 3 })
            await consuming.simulateNetworkFailure()
            #expect(await eventually { await first.isLive == false })
            await #expect(throws: AMQPError.staleDelivery) { try await first.ack() }
            // What comes out next are the broker's redeliveries, not the dead connection's copies.
            var again: [AMQPDelivery] = []
            while again.count < ids.count, let delivery = try await iterator.next() {
                again.append(delivery)
            }
            #expect(again.allSatisfy { $0.redelivered && $0.connection !== consuming })
            #expect(Set(again.compactMap(\.properties.messageID)) == Set(ids))
            for delivery in again { #expect(await delivery.isLive) }
            for delivery in again { try await delivery.ack() }
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }

    @Test("pause stops deliveries and holds across a reconnect; received ones can still be acked; resume continues")
    func pauseAndResume() async throws {
        let name = uniqueName("pause")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            let consumer = try await client.consume(queue: "\(name).q", prefetch: 2)
            let collector = DeliveryCollector()
            await collector.start(consumer, ack: false)
            try await client.publish((0..<6).map { message(name, "m\($0)", id: "m\($0)") })
            #expect(await eventually { await collector.count == 2 })
            await consumer.pause()
            #expect(await collector.ackAll() == 2)  // unacked deliveries stay settleable
            try await Task.sleep(for: .milliseconds(500))
            #expect(await collector.count == 2, "a paused consumer receives nothing")

            let consuming = try #require(await client.consuming)
            await consuming.simulateNetworkFailure()
            #expect(await eventually {
                let current = await client.consuming
                let ready = await client.isReady
                return current !== consuming && ready
            })
            try await Task.sleep(for: .milliseconds(500))
            #expect(await collector.count == 2, "a reconnect does not subscribe a paused consumer again")

            await consumer.resume()
            #expect(await eventually { await collector.count == 4 })
            _ = await collector.ackAll()
            #expect(await eventually { await collector.count == 6 })
            _ = await collector.ackAll()
            #expect(await collector.deliveries.compactMap(\.properties.messageID) == (0..<6).map { "m\($0)" })
            await collector.stop()
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }

    @Test("a consumer dropped by its reader requeues what it holds and closes its channel; the number is reused")
    func cancelRequeuesAndReusesChannel() async throws {
        let name = uniqueName("cancel")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            try await client.publish((0..<10).map { message(name, "m\($0)", id: "m\($0)") })
            let consuming = try #require(await client.consuming)
            let firstChannel: UInt16
            do {
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
                var iterator = consumer.makeAsyncIterator()
                let one = try #require(try await iterator.next())
                try await one.ack()
                firstChannel = one.channel
                #expect(await eventually { await consuming.unsettledDeliveries == 9 })
            }  // consumer and iterator are dropped here: nobody will read the other nine
            #expect(await eventually { await !consuming.openChannels.contains(firstChannel) }, "channel closed")

            let second = try await client.consume(queue: "\(name).q", prefetch: 10)
            let collector = DeliveryCollector()
            await collector.start(second, ack: true)
            #expect(await eventually(timeout: .seconds(5)) { await collector.count == 9 }, "the nine came back to the queue")
            #expect(await collector.deliveries.first?.channel == firstChannel, "channel number reused")
            await collector.stop()
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }

    @Test("consumers come and go on a connection with channel_max 5: channel numbers stay within it")
    func channelMax() async throws {
        let name = uniqueName("chmax")
        let url = try TestEnvironment.url("SHIPBOARD_TEST_AMQP_URL") + "?channel_max=5"
        try await withClient(try AMQPConfiguration(url: url), topology: .testRoute(name)) { client in
            let consuming = try #require(await client.consuming)
            #expect(await consuming.channelMax == 5)
            for round in 0..<8 {
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 1)
                var iterator = consumer.makeAsyncIterator()
                try await client.publish(message(name, "r\(round)"))
                let delivery = try #require(try await iterator.next())
                #expect(delivery.channel <= 5)
                try await delivery.ack()
                await consumer.cancel()
            }
            #expect(await eventually { await consuming.openChannels.max() ?? 0 <= 5 })
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }

    @Test("consumers subscribed, paused, resumed and cancelled concurrently on one client all work")
    func concurrentConsumerOperations() async throws {
        let name = uniqueName("concurrent")
        try await withClient(try TestEnvironment.broker(), topology: .testRoute(name)) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let consumer = try await client.consume(queue: "\(name).q", prefetch: 5)
                        await consumer.pause()
                        await consumer.resume()
                        await consumer.cancel()
                    }
                }
                try await group.waitForAll()
            }
            let consuming = try #require(await client.consuming)
            #expect(await eventually { await consuming.openChannels.count == 2 }, "only control and publish channels remain")
            try await client.currentConnection().deleteQueue("\(name).q")
        }
    }
}
