/// `notification.delivery_failed`: a message could not be delivered after every retry (an
/// alert for operators; notify itself does not notify on it, so a dead endpoint cannot loop).
public struct NotificationDeliveryFailed: EventContract, Equatable {
    public static let messageType = "notification.delivery_failed"
    public var deliveryId: String
    public var releaseKey: String?
    public var recipient: String
    public var channel: NotificationChannel
    public var attempts: Int
    public var reason: String

    public init(
        deliveryId: String, releaseKey: String?, recipient: String, channel: NotificationChannel, attempts: Int, reason: String
    ) {
        self.deliveryId = deliveryId
        self.releaseKey = releaseKey
        self.recipient = recipient
        self.channel = channel
        self.attempts = attempts
        self.reason = reason
    }
}
