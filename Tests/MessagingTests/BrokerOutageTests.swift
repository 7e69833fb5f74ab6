import AMQP
import Contracts
import Foundation
import Glibc
import Messaging
import Testing

/// Stops the fault broker while a service commits (holding the fault broker lock).
@Suite("Messaging through a broker outage", .serialized)
struct BrokerOutageTests {
    @Test("the broker stops while 1,000 events commit: after it is back, a consumer sees all 1,000, each once in effect")
    func outageDuringCommits() async throws {
        try await withFaultBrokerLock {
            let fixture = try await MessagingFixture.make("outage")
            let retry = RetryPolicy(delays: [.milliseconds(200)], maxAttempts: 5)
            try await withAMQP(url: "SHIPBOARD_TEST_FAULT_AMQP_URL", topology: fixture.topology(retry: retry)) { client in
                let relay = OutboxRelay(outbox: Outbox(schema: fixture.schema), pool: fixture.pool, amqp: client,
                                        batchSize: 100, pollInterval: .milliseconds(200))
                let runner = ConsumerRunner(
                    queue: fixture.queue, schema: fixture.schema, handlers: recordingHandlers(schema: fixture.schema),
                    pool: fixture.pool, amqp: client, prefetch: 50, concurrency: 4, retry: retry)
                try await running({ try await relay.run() }) {
                    try await running({ try await runner.run() }) {
                        let outbox = Outbox(schema: fixture.schema)
                        let outage = Task { try await faultBrokerControl("stop") }
                        var ids: [UUID] = []
                        for index in 0..<1_000 {
                            let envelope = Envelope(Recorded(value: "\(index)"), correlationId: "REL-\(index % 7)", actor: "test")
                            try await fixture.pool.withTransaction { transaction in
                                try await outbox.enqueue(envelope, exchange: Exchanges.events, routingKey: fixture.routingKey, in: transaction)
                            }
                            ids.append(envelope.id)
                        }
                        try await outage.value
                        // Whatever the relay managed before the stop, the rest is still pending.
                        try await faultBrokerControl("start")
                        #expect(try await eventually(timeout: .seconds(60)) { try await fixture.effectCount() >= ids.count })
                        try await Task.sleep(for: .milliseconds(500))
                        let effects = try await fixture.effects()
                        #expect(effects.count == ids.count)
                        #expect(Set(effects.map(\.0)) == Set(ids))
                    }
                }
            }
            await fixture.drop()
        }
    }
}

/// Runs the fault broker's control script (`start`, `stop`, `kill`) off the cooperative pool.
func faultBrokerControl(_ command: String) async throws {
    let control = try MessagingTestEnvironment.value("SHIPBOARD_TEST_FAULT_BROKER_CTL")
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "\(control) \(command)"]
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    guard status == 0 else { throw MessagingTestError("fault broker '\(command)' exited with \(status)") }
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
