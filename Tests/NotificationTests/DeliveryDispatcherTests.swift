import Contracts
import Foundation
import Logging
import Messaging
import NotificationCore
import Postgres
import Synchronization
import Testing

/// The dispatcher's loop against the real PostgreSQL with a scripted sender (the channels
/// themselves are tested against real servers elsewhere): retries until the last attempt,
/// then a recorded failure and `notification.delivery_failed` in the same commit.
@Suite("Delivery dispatcher: retries, then a recorded failure and an alert")
struct DeliveryDispatcherTests {
    /// Answers each send from a script and counts them.
    final class ScriptedSender: NotificationSender, Sendable {
        let sends = Mutex<[UUID: Int]>([:])
        let answer: @Sendable (OutboundMessage, Int) -> SendOutcome

        init(_ answer: @escaping @Sendable (OutboundMessage, Int) -> SendOutcome) {
            self.answer = answer
        }

        func send(_ message: OutboundMessage) async -> SendOutcome {
            let count = sends.withLock { sends in
                sends[message.deliveryId, default: 0] += 1
                return sends[message.deliveryId]!
            }
            return answer(message, count)
        }
    }

    @Test("a failing endpoint is tried max-attempts times with backoff, then the delivery fails and the alert is in the outbox; another is sent")
    func failsAfterRetries() async throws {
        let schema = "nq_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = try await NotifyTestData.pool()
        try await pool.query("SELECT public.shipboard_create_notify_schema(\(schema))")
        let store = DeliveryStore(schema: schema)
        func delivery(_ source: String, _ address: String) -> NewDelivery {
            NewDelivery(
                source: source, eventId: UUID(), releaseKey: "REL-0000042", eventType: "release.phase_changed", recipient: "rita",
                channel: .webhook, address: address, reason: "requester",
                message: NotificationTemplateText(subject: "s", text: "t"), inDigest: false)
        }
        try await pool.withTransaction {
            try await store.insert([delivery("a", "https://down.example/hook"), delivery("b", "https://up.example/hook")], in: $0)
        }
        let sender = ScriptedSender { message, _ in
            message.address.contains("down") ? .retryable(reason: "HTTP 503") : .delivered(detail: "HTTP 200")
        }
        let dispatcher = DeliveryDispatcher(
            settings: .init(
                concurrency: 4, endpointLimit: 2, lease: .seconds(10), pollInterval: .milliseconds(50),
                retry: DeliveryRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1))),
            schema: schema, pool: pool, sender: sender, wake: WakeSignal(),
            logger: Logger(label: "test"))
        let run = Task { try await dispatcher.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        var states: [String: (String, Int)] = [:]
        while ContinuousClock.now < deadline {
            states = try await pool.query("SELECT address, state, attempts FROM \(identifier: schema).deliveries").reduce(into: [:]) {
                let (address, state, attempts) = try $1.decode((String, String, Int).self)
                $0[address] = (state, attempts)
            }
            if states["https://down.example/hook"]?.0 == "failed" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        run.cancel()
        _ = try? await run.value
        #expect(states["https://down.example/hook"].map { "\($0.0) \($0.1)" } == "failed 3")
        #expect(states["https://up.example/hook"].map { "\($0.0) \($0.1)" } == "sent 1")
        #expect(sender.sends.withLock { $0.values.sorted() } == [1, 3])
        let alerts = try await pool.query(
            "SELECT message_type, convert_from(body, 'UTF8') FROM \(identifier: schema).outbox WHERE message_type = 'notification.delivery_failed'"
        ).map { try $0.decode((String, String).self) }
        #expect(alerts.count == 1)
        #expect(alerts.first?.1.contains("HTTP 503 (after 3 attempts)") == true)
        let error = try await pool.query(
            "SELECT last_error FROM \(identifier: schema).deliveries WHERE address = 'https://down.example/hook'"
        ).single().decode(String.self)
        #expect(error == "HTTP 503 (after 3 attempts)")
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }

    @Test("a stopping dispatcher records the send in flight and gives back what waited for a slot: pending again, its attempt not counted")
    func stopGivesBackWaiting() async throws {
        let schema = "nq_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = try await NotifyTestData.pool()
        try await pool.query("SELECT public.shipboard_create_notify_schema(\(schema))")
        let store = DeliveryStore(schema: schema)
        try await pool.withTransaction {
            try await store.insert((1...3).map { index in
                NewDelivery(
                    source: "stop:\(index)", eventId: nil, releaseKey: "REL-0000044", eventType: "release.phase_changed",
                    recipient: "rita", channel: .webhook, address: "https://slow.example/hook", reason: "requester",
                    message: NotificationTemplateText(subject: "s", text: "t"), inDigest: false)
            }, in: $0)
        }
        // One send at a time to the endpoint, held until the dispatcher is stopped: one sends,
        // one waits claimed, one stays pending. (A fixed send time raced a loaded test run.)
        let released = Mutex(false)
        let sender = ScriptedSender { _, _ in
            while !released.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            return .delivered(detail: "HTTP 200")
        }
        let dispatcher = DeliveryDispatcher(
            settings: .init(concurrency: 4, endpointLimit: 1, lease: .seconds(30), pollInterval: .milliseconds(50)),
            schema: schema, pool: pool, sender: sender, wake: WakeSignal(), logger: Logger(label: "test"))
        let run = Task { try await dispatcher.run() }
        while sender.sends.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        run.cancel()
        released.withLock { $0 = true }
        _ = try? await run.value
        let rows = try await pool.query(
            "SELECT state, attempts FROM \(identifier: schema).deliveries ORDER BY state, attempts"
        ).map { try $0.decode((String, Int).self) }.map { "\($0.0) \($0.1)" }
        #expect(rows == ["pending 0", "pending 0", "sent 1"])
        #expect(sender.sends.withLock { $0.count } == 1)
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }
}
