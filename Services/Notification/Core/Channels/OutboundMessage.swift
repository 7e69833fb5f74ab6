import Contracts
import Foundation

/// One message to send now, rendered and addressed. `deliveryId` is the idempotency key: it
/// stays the same across retries of one delivery, so a receiver can drop the rare repeat
/// (email `Message-ID`, webhook `Idempotency-Key`).
public struct OutboundMessage: Sendable, Equatable {
    public var deliveryId: UUID
    public var channel: NotificationChannel
    /// Email address, webhook URL or chat webhook URL (none for in-app).
    public var address: String
    /// The person's display name (the email `To` name, the webhook's `recipient`).
    public var recipient: String
    public var subject: String
    public var text: String
    /// The HTML part of an email; other channels ignore it.
    public var html: String?
    public var eventType: String
    public var eventId: UUID?
    public var releaseKey: String?
    public var occurredAt: Date

    public init(
        deliveryId: UUID, channel: NotificationChannel, address: String, recipient: String, subject: String,
        text: String, html: String? = nil, eventType: String, eventId: UUID? = nil, releaseKey: String? = nil,
        occurredAt: Date
    ) {
        self.deliveryId = deliveryId
        self.channel = channel
        self.address = address
        self.recipient = recipient
        self.subject = subject
        self.text = text
        self.html = html
        self.eventType = eventType
        self.eventId = eventId
        self.releaseKey = releaseKey
        self.occurredAt = occurredAt
    }
}

/// What one attempt to send achieved. Reasons never contain a password, a signing secret or a
/// webhook URL (chat webhook URLs carry their secret in the path).
public enum SendOutcome: Sendable, Equatable {
    /// Accepted by the server: SMTP `250 …`, HTTP 2xx.
    case delivered(detail: String)
    /// Worth another attempt later: timeouts, connection failures, SMTP 4xx, HTTP 408/429/5xx.
    case retryable(reason: String)
    /// Another attempt cannot succeed: a refused address or URL, SMTP 5xx, HTTP 4xx other than 408/429.
    case permanent(reason: String)
}

/// Sends one message over one channel. Never throws: every failure is a `SendOutcome`.
public protocol NotificationSender: Sendable {
    func send(_ message: OutboundMessage) async -> SendOutcome
}
