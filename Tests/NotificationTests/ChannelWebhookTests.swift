import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import NotificationCore
import ShipboardTestSupport
import Testing

/// WebhookSender, ChatSender and ChannelRouter against a real HTTP receiver (Hummingbird on
/// 127.0.0.1): loopback targets are allowed explicitly, as only tests and demos do.
@Suite("Webhook and chat channels over HTTP")
struct ChannelWebhookTests {
    static let secret = "channel-test-secret-0123456789"

    static func message(to url: String, channel: NotificationChannel = .webhook) -> OutboundMessage {
        OutboundMessage(
            deliveryId: UUID(), channel: channel, address: url, recipient: "Ada Lovelace", subject: "RL-7 <halted> & backed out",
            text: "Wave 2 failed > threshold.", eventType: "rollout.halted", eventId: UUID(), releaseKey: "RL-7",
            occurredAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// Runs `body` with a receiver, a client and senders, and shuts them all down afterwards.
    static func withChannels(
        timeout: Duration = .seconds(5), policy: OutboundURLPolicy = OutboundURLPolicy(allowLoopback: true),
        _ body: (ChannelTestReceiver, ChannelRouter) async throws -> Void
    ) async throws {
        let receiver = try await ChannelTestReceiver.start()
        let client = JSONPoster.makeHTTPClient(timeout: timeout)
        let poster = JSONPoster(client: client, policy: policy, timeout: timeout)
        let router = ChannelRouter(
            email: nil, webhook: WebhookSender(poster: poster, signer: try WebhookSigner(secret: secret)),
            chat: ChatSender(poster: poster))
        do {
            try await body(receiver, router)
        } catch {
            try? await client.shutdown()
            await receiver.stop()
            throw error
        }
        try await client.shutdown()
        await receiver.stop()
    }

    @Test("a webhook is signed, carries the idempotency key and the payload, and is delivered on 2xx")
    func delivered() async throws {
        try await Self.withChannels { receiver, router in
            let message = Self.message(to: receiver.url(answering: 204))
            #expect(await router.send(message) == .delivered(detail: "HTTP 204"))
            let request = try #require(await receiver.received.first)
            let id = message.deliveryId.uuidString.lowercased()
            #expect(request.headers[HTTPField.Name("Idempotency-Key")!] == id)
            #expect(request.headers[HTTPField.Name("X-Shipboard-Delivery")!] == id)
            #expect(request.headers[.contentType] == "application/json")
            let signature = try #require(request.headers[HTTPField.Name(WebhookSigner.headerName)!])
            try WebhookSigner(secret: Self.secret).verify(header: signature, body: request.body)
            #expect(throws: WebhookSignatureError.mismatch) {
                try WebhookSigner(secret: Self.secret).verify(header: signature, body: request.body + [0x20])
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let payload = try decoder.decode(WebhookPayload.self, from: Data(request.body))
            #expect(payload.id == id)
            #expect(payload.type == "rollout.halted")
            #expect(payload.eventId == message.eventId?.uuidString.lowercased())
            #expect(payload.releaseKey == "RL-7")
            #expect(payload.occurredAt == message.occurredAt)
            #expect(payload.recipient == "Ada Lovelace")
            #expect(payload.subject == message.subject)
            #expect(payload.text == message.text)
        }
    }

    @Test(
        "the receiver's status decides: 5xx, 408 and 429 retryable; other 4xx and 3xx permanent",
        arguments: [(500, "retryable"), (503, "retryable"), (408, "retryable"), (429, "retryable"), (400, "permanent"),
                    (404, "permanent"), (302, "permanent")])
    func statusOutcome(status: Int, expected: String) async throws {
        try await Self.withChannels { receiver, router in
            let outcome = await router.send(Self.message(to: receiver.url(answering: status)))
            switch (outcome, expected) {
            case (.retryable(let reason), "retryable"), (.permanent(let reason), "permanent"):
                #expect(reason.contains("\(status)"))
                #expect(!reason.contains("127.0.0.1"), "a reason must not carry the URL: \(reason)")
            default:
                Issue.record("HTTP \(status) gave \(outcome), expected \(expected)")
            }
            #expect(await receiver.received.count == 1)
        }
    }

    @Test("a chat message is a Slack incoming-webhook payload with &, < and > escaped")
    func chat() async throws {
        try await Self.withChannels { receiver, router in
            let message = Self.message(to: receiver.url(answering: 200), channel: .chat)
            #expect(await router.send(message) == .delivered(detail: "HTTP 200"))
            let request = try #require(await receiver.received.first)
            let payload = try JSONDecoder().decode([String: String].self, from: Data(request.body))
            #expect(payload == ["text": "*RL-7 &lt;halted&gt; &amp; backed out*\nWave 2 failed &gt; threshold."])
        }
    }

    @Test("a loopback URL is refused (permanent) unless allowed, and nothing is sent")
    func refusedURL() async throws {
        try await Self.withChannels(policy: OutboundURLPolicy()) { receiver, router in
            for url in [receiver.url(answering: 200), "http://localhost:\(receiver.port)/status/200"] {
                guard case .permanent(let reason) = await router.send(Self.message(to: url)) else {
                    Issue.record("\(url) was not refused")
                    continue
                }
                #expect(reason.contains("loopback") || reason.contains("localhost"))
            }
            #expect(await receiver.received.isEmpty)
        }
    }

    @Test("in-app is delivered at once; email without an SMTP server is permanent")
    func inAppAndNoSMTP() async throws {
        try await Self.withChannels { _, router in
            #expect(await router.send(Self.message(to: "", channel: .inApp)) == .delivered(detail: "in-app feed"))
            guard case .permanent = await router.send(Self.message(to: "ada@example.com", channel: .email)) else {
                Issue.record("email without SMTP was not permanent")
                return
            }
        }
    }

    @Test("a receiver that never answers is retryable within the timeout, and another endpoint is not delayed")
    func hangingEndpointIsIsolated() async throws {
        let silent = try SilentListener()
        try await Self.withChannels(timeout: .seconds(6)) { receiver, router in
            let clock = ContinuousClock()
            let hanging = "http://127.0.0.1:\(silent.port)/hook"
            let started = clock.now
            // Three sends to the dead endpoint at once (the dispatcher bounds them per endpoint).
            async let dead = withTaskGroup(of: SendOutcome.self) { group in
                for _ in 0..<3 { group.addTask { await router.send(Self.message(to: hanging)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(200))
            let healthyStart = clock.now
            #expect(await router.send(Self.message(to: receiver.url(answering: 200))) == .delivered(detail: "HTTP 200"))
            let healthy = clock.now - healthyStart
            // Bounded by less than one hanging send (6 s), with room for a loaded machine.
            #expect(healthy < .seconds(4), "the healthy endpoint waited \(healthy)")
            let outcomes = await dead
            let elapsed = clock.now - started
            #expect(outcomes.count == 3)
            for outcome in outcomes {
                guard case .retryable(let reason) = outcome else {
                    Issue.record("a hanging receiver gave \(outcome)")
                    continue
                }
                #expect(reason.contains("in time"), "\(reason)")
            }
            // Side by side, each bounded by the 6 s timeout.
            #expect(elapsed >= .seconds(6) && elapsed < .seconds(15), "three hanging sends took \(elapsed)")
        }
    }
}
