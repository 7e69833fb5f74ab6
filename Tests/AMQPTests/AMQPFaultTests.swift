import Foundation
import Glibc
import Testing

@testable import AMQP

/// Tests that stop, kill or freeze the dedicated fault broker; serialized because they
/// share it. Other suites use the main test broker and are unaffected.
@Suite("AMQP under broker faults", .serialized)
struct AMQPFaultTests {
    @Test("publishing and consuming resume after the broker is stopped and started")
    func brokerRestart() async throws {
        try await withFaultBrokerLock {
            let name = uniqueName("restart")
            try await withClient(try TestEnvironment.faultBroker(), topology: .testRoute(name)) { client in
                let consumer = try await client.consume(queue: "\(name).q", prefetch: 10)
                let collector = DeliveryCollector()
                await collector.start(consumer, ack: true)
                try await client.publish(message(name, "before"))
                #expect(await collector.wait(for: 1).count == 1)

                try await faultBroker("stop")
                await #expect(throws: AMQPError.notConnected) {
                    try await client.publish(message(name, "during"), timeout: .milliseconds(300))
                }
                try await faultBroker("start")

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
        try await withFaultBrokerLock {
            let name = uniqueName("crash")
            try await withClient(try TestEnvironment.faultBroker(), topology: .testRoute(name)) { client in
                let ids = (0..<300).map { "m-\($0)" }
                for batch in stride(from: 0, to: ids.count, by: 100) {
                    try await client.publish(ids[batch..<batch + 100].map { message(name, $0, id: $0) })
                }
                try await faultBroker("kill")
                try await faultBroker("start")
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
        try await withFaultBrokerLock {
            var config = try TestEnvironment.faultBroker()
            config.heartbeat = 1
            let connection = try await AMQPConnection.connect(config)
            let runner = Task { try await connection.run() }
            try await Task.sleep(for: .milliseconds(300))
            try await faultBroker("pause")
            let started = ContinuousClock.now
            let outcome = await runner.result
            let elapsed = ContinuousClock.now - started
            try await faultBroker("resume")
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

/// Runs the fault broker's control script off the cooperative pool (stop takes seconds).
func faultBroker(_ command: String) async throws {
    let control = try TestEnvironment.url("SHIPBOARD_TEST_FAULT_BROKER_CTL")
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "\(control) \(command)"]
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    guard status == 0 else { throw TestSetupError("fault broker '\(command)' exited with \(status)") }
}

/// Holds an exclusive lock on the fault broker for the whole of `body`: fault tests live in
/// several test targets that `swift test` runs in one process, in parallel, and one test's
/// broker restart must not land in the middle of another's.
func withFaultBrokerLock<R: Sendable>(_ body: () async throws -> R) async throws -> R {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-fault-broker.lock").path
    let descriptor = open(path, O_CREAT | O_RDWR, 0o600)
    guard descriptor >= 0 else { throw FaultLockError() }
    defer { close(descriptor) }  // closing releases the lock
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread.detachNewThread {
            _ = flock(descriptor, LOCK_EX)
            continuation.resume()
        }
    }
    return try await body()
}

struct FaultLockError: Error {}
