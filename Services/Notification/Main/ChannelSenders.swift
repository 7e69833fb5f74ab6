import Contracts
import NotificationCore

/// The senders of every channel, behind one `NotificationSender`: email through the SMTP
/// server, webhooks signed, chat hooks, and in-app (the delivery row is the feed: nothing to send).
struct ChannelSenders: NotificationSender {
    let email: (any NotificationSender)?
    let webhook: any NotificationSender
    let chat: any NotificationSender

    static func make(smtp: SMTPSettings?, webhookSecret: String, policy: OutboundURLPolicy, timeout: Duration) -> ChannelSenders {
        let poster = JSONPoster(client: JSONPoster.makeHTTPClient(timeout: timeout), policy: policy, timeout: timeout)
        // The secret was required at start-up; a refused one stops the service there.
        let signer = try! WebhookSigner(secret: webhookSecret)
        return ChannelSenders(
            email: smtp.map { SMTPSender(settings: $0) }, webhook: WebhookSender(poster: poster, signer: signer),
            chat: ChatSender(poster: poster))
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
