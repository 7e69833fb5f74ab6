/// Sends a message over its channel: email through `SMTPSender`, webhook through
/// `WebhookSender`, chat through `ChatSender`; in-app is delivered at once (the in-app feed
/// is the delivery row itself).
/// - How many sends run at once per endpoint is the dispatcher's (`EndpointQueues`: a full
///   endpoint's deliveries are not even claimed), so the router never waits.
/// - Webhook and chat URLs go through their poster's `OutboundURLPolicy` (as typed here, resolved
///   addresses in `JSONPoster`): a refused URL is a permanent failure without a permit.
public struct ChannelRouter: NotificationSender {
    /// Nil when no SMTP server is configured: email deliveries fail permanently.
    public let email: SMTPSender?
    /// Nil when no signing secret is configured: webhook deliveries fail permanently.
    public let webhook: WebhookSender?
    public let chat: ChatSender

    public init(email: SMTPSender?, webhook: WebhookSender?, chat: ChatSender) {
        self.email = email
        self.webhook = webhook
        self.chat = chat
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        switch message.channel {
        case .inApp:
            return .delivered(detail: "in-app feed")
        case .email:
            guard let email else { return .permanent(reason: "no SMTP server is configured") }
            return await email.send(message)
        case .webhook:
            guard let webhook else { return .permanent(reason: "no webhook signing secret is configured") }
            return await sendOverHTTP(message, through: webhook, policy: webhook.poster.policy)
        case .chat:
            return await sendOverHTTP(message, through: chat, policy: chat.poster.policy)
        case .unknown(let name):
            return .permanent(reason: "unknown channel '\(name)'")
        }
    }

    private func sendOverHTTP(
        _ message: OutboundMessage, through sender: some NotificationSender, policy: OutboundURLPolicy
    ) async -> SendOutcome {
        switch policy.target(of: message.address) {
        case .failure(let refusal):
            return .permanent(reason: refusal.reason)
        case .success(let target):
            if let reason = policy.problem(withHost: target.host) { return .permanent(reason: reason) }
            return await sender.send(message)
        }
    }
}
