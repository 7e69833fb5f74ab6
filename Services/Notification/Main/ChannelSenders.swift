import AsyncHTTPClient
import NotificationCore
import ServiceLifecycle

/// The channels of this replica: one `ChannelRouter` (SMTP, signed webhooks, chat, in-app) and
/// the HTTP client its webhook and chat senders share (shut down when the service stops).
enum ChannelSenders {
    static func make(
        smtp: SMTPSettings?, signer: WebhookSigner?, policy: OutboundURLPolicy, timeout: Duration
    ) -> (ChannelRouter, HTTPClient) {
        let client = JSONPoster.makeHTTPClient(timeout: timeout)
        let poster = JSONPoster(client: client, policy: policy, timeout: timeout)
        let router = ChannelRouter(
            email: smtp.map { SMTPSender(settings: $0) }, webhook: signer.map { WebhookSender(poster: poster, signer: $0) },
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
