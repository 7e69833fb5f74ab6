import AsyncHTTPClient
import NotificationCore
import ServiceLifecycle

/// The channels of this replica: one `ChannelRouter` (SMTP, signed webhooks, chat, in-app) and
/// the HTTP client its webhook and chat senders share (shut down when the service stops).
enum ChannelSenders {
    static func make(
        smtp: SMTPSettings?, webhookSecret: String, policy: OutboundURLPolicy, timeout: Duration
    ) -> (ChannelRouter, HTTPClient) {
        let client = JSONPoster.makeHTTPClient(timeout: timeout)
        let poster = JSONPoster(client: client, policy: policy, timeout: timeout)
        // The secret was checked at start-up (NotifySettings): a refused one stops the service there.
        let signer = try! WebhookSigner(secret: webhookSecret)
        let router = ChannelRouter(
            email: smtp.map { SMTPSender(settings: $0) }, webhook: WebhookSender(poster: poster, signer: signer),
            chat: ChatSender(poster: poster))
        return (router, client)
    }
}

/// Shuts the HTTP client down once the service is asked to stop (a client must never be
/// released while open).
struct HTTPClientShutdown: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
