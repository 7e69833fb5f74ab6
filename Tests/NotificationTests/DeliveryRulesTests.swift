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

    @Test("the endpoint of a webhook is its authority; every email shares the SMTP server's; a full endpoint admits no more")
    func endpoints() async {
        #expect(EndpointGate.endpoint(channel: .webhook, address: "https://Hooks.Example:8443/a/b?c#d") == "hooks.example:8443")
        #expect(EndpointGate.endpoint(channel: .chat, address: "https://chat.example/T1/B2") == "chat.example")
        #expect(EndpointGate.endpoint(channel: .email, address: "a@example.com") == "email")
        let gate = EndpointGate(limit: 2)
        #expect(await gate.tryEnter("a"))
        #expect(await gate.tryEnter("a"))
        #expect(!(await gate.tryEnter("a")))
        #expect(await gate.tryEnter("b"))
        #expect(await gate.slots() == .init(perEndpoint: 2, free: ["a": 0, "b": 1]))
        await gate.leave("a")
        #expect(await gate.slots() == .init(perEndpoint: 2, free: ["a": 1, "b": 1]))
        #expect(await gate.tryEnter("a"))
    }
}
