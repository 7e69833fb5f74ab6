import Foundation
import ShipboardTestSupport
import Testing

@testable import AMQP

/// Memory alarms on the fault broker (holding its lock): the broker stops reading from
/// every connection that publishes.
@Suite("AMQP under a broker memory alarm", .serialized)
struct AMQPAlarmTests {
    /// Publishes batches of `message`s with ids `burst-N` until stopped, retrying a failed
    /// batch (same ids) until it is confirmed; records confirmed ids and every failure.
    actor BurstPublisher {
        struct Failure: Sendable {
            let error: AMQPError
            let elapsed: Duration
        }

        private(set) var confirmed: Set<String> = []
        private(set) var failures: [Failure] = []
        private(set) var batches = 0
        private var stopped = false

        func run(_ client: AMQPClient, name: String, timeout: Duration) async {
            var next = 0
            while !stopped {
                let ids = (next..<next + 20).map { "burst-\($0)" }
                let started = ContinuousClock.now
                do {
                    try await client.publish(ids.map { message(name, $0, id: $0) }, timeout: timeout)
                    confirmed.formUnion(ids)
                    batches += 1
                    next += 20
                    try? await Task.sleep(for: .milliseconds(200))  // ~100 msg/s: the consumer keeps up
                } catch {
                    failures.append(Failure(error: error, elapsed: ContinuousClock.now - started))
                }
            }
        }

        func stop() { stopped = true }
    }

    @Test("memory alarm during a publish burst: a consumer on the same client keeps receiving and acking, publishes wait with their deadline, resume after the alarm clears, nothing is lost")
    func memoryAlarmDuringBurst() async throws {
        try await FaultBroker.exclusively {
            let name = uniqueName("alarm")
            var config = try TestEnvironment.faultBroker()
            config.heartbeat = 2  // a confirm wait of several heartbeats must not look like a dead broker
            try await withClient(config, topology: .testRoute(name)) { client in
                let events = EventRecorder()
                await events.start(client.events)
                // A backlog the consumer works through slowly, so it still consumes during the alarm.
                let backlog = (0..<800).map { "backlog-\($0)" }
                try await client.publish(backlog.map { message(name, $0, id: $0) })
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 5)
                let collector = DeliveryCollector()
                await collector.start(consumer, ack: true, delay: .milliseconds(10))
                let publisher = BurstPublisher()
                let timeout = Duration.seconds(1)
                let burst = Task { await publisher.run(client, name: name, timeout: timeout) }
                #expect(await eventually { await publisher.batches >= 3 })

                try await FaultBroker.withAlarm {
                    #expect(await eventually(timeout: .seconds(10)) { await client.isBlocked }, "the broker blocked the publisher")
                    let receivedWhenBlocked = await collector.count
                    let failuresWhenBlocked = await publisher.failures.count
                    try await Task.sleep(for: .seconds(3))
                    // Prefetch 5: more than 5 new deliveries means the broker took our acks.
                    #expect(await collector.count >= receivedWhenBlocked + 30, "the consumer keeps receiving and acking")
                    #expect(await publisher.failures.count > failuresWhenBlocked, "publishes fail while blocked")
                    #expect(await client.isReady, "both connections stay up while blocked")
                }
                #expect(await eventually(timeout: .seconds(10)) { await !client.isBlocked })
                let batchesAfterAlarm = await publisher.batches
                #expect(await eventually(timeout: .seconds(15)) { await publisher.batches >= batchesAfterAlarm + 5 }, "publishing resumes")
                await publisher.stop()
                await burst.value

                for failure in await publisher.failures {
                    // A batch of 20 times out with the ones the broker had not confirmed when it
                    // blocked: usually all 20, now and then 19 (one confirm made it before the alarm).
                    let expected: Bool = switch failure.error {
                    case .confirmTimeout(let pending): (1...20).contains(pending)
                    case .blocked: true
                    default: false
                    }
                    #expect(expected, "\(failure.error)")
                    #expect(failure.elapsed < timeout + .milliseconds(500), "a publish waits no longer than its deadline")
                }
                let expected = Set(backlog).union(await publisher.confirmed)
                let arrived = await eventually(timeout: .seconds(30)) {
                    Set(await collector.deliveries.compactMap(\.properties.messageID)).isSuperset(of: expected)
                }
                let missing = expected.subtracting(await collector.deliveries.compactMap(\.properties.messageID))
                #expect(arrived, "every confirmed message arrives; missing \(missing.count) of \(expected.count)")
                let seen = await events.events
                #expect(seen.contains { if case .blocked = $0 { true } else { false } })
                #expect(seen.contains(.unblocked))
                #expect(!seen.contains { if case .connectionLost = $0 { true } else { false } }, "no connection dropped: \(seen)")
                await collector.stop()
                await events.stop()
                try await client.currentConnection().deleteQueue("\(name).q")
            }
        }
    }

    /// Set by a publish running in its own task, so a hung publish cannot hang the test.
    actor Outcome {
        private(set) var result: Result<Void, AMQPError>?
        private(set) var elapsed: Duration?
        func set(_ result: Result<Void, AMQPError>, after elapsed: Duration) {
            self.result = result
            self.elapsed = elapsed
        }
    }

    @Test("a write into a broker that stopped reading is cut off after write_timeout; the client reconnects")
    func stuckWriteIsCutOff() async throws {
        try await FaultBroker.exclusively {
            let name = uniqueName("stuck")
            let url = try TestEnvironment.url("SHIPBOARD_TEST_FAULT_AMQP_URL") + "?write_timeout=1&max_message_size=67108864"
            try await withClient(try AMQPConfiguration(url: url), topology: .testRoute(name)) { client in
                try await withClient(try TestEnvironment.faultBroker()) { probe in
                    let outcome = Outcome()
                    try await FaultBroker.withAlarm {
                        // The probe's publish makes the broker block it: then the alarm is on.
                        #expect(await eventually(timeout: .seconds(10)) {
                            try? await probe.publish(message(name, "probe"), timeout: .milliseconds(200))
                            return await probe.isBlocked
                        })
                        // Not yet blocked (it has not published during the alarm): its write of
                        // 40 MiB goes out, the broker reads the method frame, blocks and stops reading.
                        let huge = AMQPMessage(exchange: "\(name).x", routingKey: "k", body: Data(count: 40 << 20))
                        let started = ContinuousClock.now
                        Task {
                            do {
                                try await client.publish(huge, timeout: .seconds(20))
                                await outcome.set(.success(()), after: ContinuousClock.now - started)
                            } catch let error as AMQPError {
                                await outcome.set(.failure(error), after: ContinuousClock.now - started)
                            } catch {
                                await outcome.set(.failure(.notConnected), after: ContinuousClock.now - started)
                            }
                        }
                        #expect(await eventually(timeout: .seconds(8)) { await outcome.result != nil }, "the stuck publish returned")
                        if case .failure(let error)? = await outcome.result {
                            #expect(error.isConnectionError, "\(error)")
                        } else {
                            Issue.record("the publish succeeded during the alarm")
                        }
                        #expect((await outcome.elapsed ?? .seconds(60)) < .seconds(5))
                    }
                    #expect(await eventually(timeout: .seconds(20)) {
                        let ready = await client.isReady
                        let blocked = await client.isBlocked
                        return ready && !blocked
                    })
                    try await client.publish(message(name, "after"), timeout: .seconds(10))
                    try await client.currentConnection().deleteQueue("\(name).q")
                }
            }
        }
    }
}
