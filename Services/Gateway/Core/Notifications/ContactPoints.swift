import Contracts
import NotificationCore

/// A person's contact points as the API carries them: one address per channel that needs
/// one (the in-app feed needs none). The JSON shape is the API's `ContactPoints`.
public struct ContactPoints: Codable, Sendable, Equatable {
    public var email: String?
    public var webhook: String?
    public var chat: String?

    public init(email: String? = nil, webhook: String? = nil, chat: String? = nil) {
        self.email = email
        self.webhook = webhook
        self.chat = chat
    }

    /// What a replacement stores: every non-empty address checked by ``ContactPointRules``
    /// under `policy` (an empty one, like an absent one, removes that channel's address).
    public func checked(policy: OutboundURLPolicy) throws(CommandError) -> [(channel: NotificationChannel, address: String)] {
        var kept: [(channel: NotificationChannel, address: String)] = []
        for (channel, address) in [(NotificationChannel.email, email), (.webhook, webhook), (.chat, chat)] {
            guard let address, !address.isEmpty else { continue }
            try ContactPointRules.check(address, channel: channel, field: channel.rawValue, policy: policy)
            kept.append((channel, address))
        }
        return kept
    }
}
