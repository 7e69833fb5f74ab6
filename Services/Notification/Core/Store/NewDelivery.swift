import Contracts
import Foundation

/// A delivery about to be recorded: where it comes from (`source`: `event:<id>`,
/// `schedule:<id>`, `digest:<person>:<day>`), to whom, how, why, and the rendered message.
public struct NewDelivery: Sendable, Equatable {
    public var source: String
    public var eventId: UUID?
    public var releaseKey: String?
    public var eventType: String
    public var recipient: String
    public var channel: NotificationChannel
    /// The address at the time it was planned (none for in-app).
    public var address: String?
    public var reason: String
    public var message: NotificationTemplateText
    /// Digest deliveries wait for the person's daily digest instead of being sent.
    public var inDigest: Bool

    public init(
        source: String, eventId: UUID?, releaseKey: String?, eventType: String, recipient: String, channel: NotificationChannel,
        address: String?, reason: String, message: NotificationTemplateText, inDigest: Bool
    ) {
        self.source = source
        self.eventId = eventId
        self.releaseKey = releaseKey
        self.eventType = eventType
        self.recipient = recipient
        self.channel = channel
        self.address = address
        self.reason = reason
        self.message = message
        self.inDigest = inDigest
    }
}
