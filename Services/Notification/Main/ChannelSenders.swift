import AsyncHTTPClient
import Contracts
import NotificationCore
import ServiceLifecycle

/// The senders of every channel, behind one `NotificationSender`: email through the SMTP
/// server, webhooks signed, chat hooks, and in-app (the delivery row is the feed: nothing to send).
struct ChannelSenders: NotificationSender {
    let email: (any NotificationSender)?
    let webhook: any NotificationSender
    let chat: any NotificationSender

    /// The senders, and the HTTP client they share (shut down when the service stops).
    static func make(
        smtp: SMTPSettings?, webhookSecret: String, policy: OutboundURLPolicy, timeout: Duration
    ) -> (ChannelSenders, HTTPClient) {
        let client = JSONPoster.makeHTTPClient(timeout: timeout)
        let poster = JSONPoster(client: client, policy: policy, timeout: timeout)
        // The secret was required at start-up; a refused one stops the service there.
        let signer = try! WebhookSigner(secret: webhookSecret)
        let senders = ChannelSenders(
            email: smtp.map { SMTPSender(settings: $0) }, webhook: WebhookSender(poster: poster, signer: signer),
            chat: ChatSender(poster: poster))
        return (senders, client)
    }

    func send(_ message: OutboundMessage) async -> SendOutcome {
        switch message.channel {
        case .email:
            guard let email else { return .permanent(reason: "no SMTP server is configured") }
            return await email.send(message)
        case .webhook: return await webhook.send(message)
        case .chat: return await chat.send(message)
        case .inApp: return .delivered(detail: "in the feed")
        case .unknown(let name): return .permanent(reason: "unknown channel \(name)")
        }
    }
}

/// Shuts the HTTP client down once the service is asked to stop (after the dispatcher, which
/// stops sending first, a client must never be released while open).
struct HTTPClientShutdown: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
