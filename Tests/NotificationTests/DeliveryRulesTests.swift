import Contracts
import Foundation
import NotificationCore
import Testing

/// The dispatcher's pure rules: retries with backoff and jitter, then failure; endpoint keys and slots.
@Suite("Delivery rules: retries and endpoints")
struct DeliveryRulesTests {
    let policy = DeliveryRetryPolicy(maxAttempts: 4, baseDelay: .seconds(2), maxDelay: .seconds(10))

    @Test("a retryable failure backs off exponentially within its jitter, capped; the last attempt fails; a permanent one fails at once")
    func retries() {
        #expect(policy.delay(after: 1, unit: 0) == .seconds(1))
        #expect(policy.delay(after: 1, unit: 1) == .seconds(2))
        #expect(policy.delay(after: 2, unit: 1) == .seconds(4))
        #expect(policy.delay(after: 3, unit: 0.5) == .seconds(6))
        #expect(policy.delay(after: 30, unit: 1) == .seconds(10))
        #expect(policy.outcome(after: 1, .retryable(reason: "500"), unit: 0) == .retry(after: .seconds(1), reason: "500"))
        #expect(policy.outcome(after: 4, .retryable(reason: "500"), unit: 0) == .failed(reason: "500 (after 4 attempts)"))
        #expect(policy.outcome(after: 1, .permanent(reason: "404"), unit: 0) == .failed(reason: "404"))
        #expect(policy.outcome(after: 2, .delivered(detail: "250"), unit: 0) == .sent)
    }

    static func claimed(_ endpoint: String, _ index: Int) -> DeliveryStore.Claimed {
        DeliveryStore.Claimed(
            id: UUID(), attempt: 1, eventId: nil, releaseKey: nil, eventType: "t", recipient: "r\(index)", channel: .webhook,
            address: "https://\(endpoint)/h", subject: "s", text: "t", html: nil, createdAt: Date(), endpoint: endpoint)
    }

    @Test("an endpoint takes at most its limit at once and as many again waiting; a finished send starts the next, its own endpoint's first")
    func endpointQueues() async {
        let queues = EndpointQueues(limit: 2, depth: 2, total: 3, maxWait: .seconds(30))
        let now = ContinuousClock.now
        let a = (0..<5).map { Self.claimed("a", $0) }
        let b = (0..<2).map { Self.claimed("b", $0) }
        #expect(await queues.wants().limit == 6)
        #expect(await queues.wants().slots == .init(perEndpoint: 4))
        let asked = await queues.wants()
        let (started, stale) = await queues.admit(a + b, asked: asked, at: now)
        // a: 2 start (its limit); b: 1 (3 in all); 3 of a and 1 of b wait.
        #expect(started.map(\.recipient) == ["r0", "r1", "r0"])
        #expect(Set(started.map(\.endpoint)) == ["a", "b"])
        #expect(stale.isEmpty)
        #expect(await queues.inHand == 7)
        let wants = await queues.wants()
        #expect(wants.limit == 0)
        #expect(wants.slots == .init(perEndpoint: 4, free: ["a": 0, "b": 2]))
        // A send to a ends: a's next starts (its queue still deep: no refill yet).
        let first = await queues.finished("a", at: now)
        #expect(first.next?.id == a[2].id)
        #expect(!first.refill)
        // Another: a's last waiting one starts, and a asks for more.
        let second = await queues.finished("a", at: now)
        #expect(second.next?.id == a[3].id)
        #expect(second.refill)
        let third = await queues.finished("a", at: now)
        #expect(third.next?.id == a[4].id)
        // a has nothing waiting: its slot goes to b's waiting one.
        let fourth = await queues.finished("a", at: now)
        #expect(fourth.next?.id == b[1].id)
        #expect(fourth.refill)
        #expect(await queues.finished("b", at: now).next == nil)
    }

    @Test("a queue running low asks for a claim only if its endpoint's last claim filled its places")
    func refillOnlyWhenMoreMayBeDue() async {
        let queues = EndpointQueues(limit: 2, depth: 2, total: 8, maxWait: .seconds(30))
        let now = ContinuousClock.now
        // c had 4 places and got 2: nothing more was due; d got its 4.
        let c = (0..<2).map { Self.claimed("c", $0) }
        let d = (0..<4).map { Self.claimed("d", $0) }
        _ = await queues.admit(c + d, asked: (16, .init(perEndpoint: 4)), at: now)
        #expect(!(await queues.finished("c", at: now).refill))
        #expect(await queues.finished("d", at: now).refill)
    }

    @Test("a delivery that waited half its lease for a slot is handed back, not sent")
    func staleDeliveries() async {
        let queues = EndpointQueues(limit: 1, depth: 4, total: 8, maxWait: .seconds(10))
        let start = ContinuousClock.now
        let a = (0..<3).map { Self.claimed("a", $0) }
        #expect(await queues.admit(a, asked: nil, at: start).started.map(\.id) == [a[0].id])
        let later = await queues.finished("a", at: start + .seconds(11))
        #expect(later.next == nil)
        #expect(later.stale.map(\.id) == [a[1].id, a[2].id])
        #expect(await queues.inHand == 0)
    }
}
