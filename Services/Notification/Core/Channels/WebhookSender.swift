import Foundation

/// Delivers a notification as a signed JSON POST to a person's webhook URL.
/// - Body: `{"id", "type", "eventId", "releaseKey", "occurredAt", "recipient", "subject", "text"}`.
/// - Headers: `X-Shipboard-Signature` (see `WebhookSigner`), `Idempotency-Key` and
///   `X-Shipboard-Delivery` (both the delivery id, the same on every retry).
/// - Outcome: 2xx delivered; 408/429/5xx, timeouts and connection failures retryable; other
///   statuses and refused URLs permanent (`JSONPoster`).
public struct WebhookSender: NotificationSender {
    public let poster: JSONPoster
    public let signer: WebhookSigner

    public init(poster: JSONPoster, signer: WebhookSigner) {
        self.poster = poster
        self.signer = signer
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let body = Self.body(of: message)
        let delivery = message.deliveryId.uuidString.lowercased()
        return await poster.post(
            to: message.address, body: body,
            headers: [
                (WebhookSigner.headerName, signer.signature(for: body, at: Date())),
                ("Idempotency-Key", delivery),
                ("X-Shipboard-Delivery", delivery),
            ])
    }

    /// The JSON body (keys sorted, dates ISO 8601 in UTC).
    public static func body(of message: OutboundMessage) -> [UInt8] {
        let payload = WebhookPayload(
            id: message.deliveryId.uuidString.lowercased(), type: message.eventType,
            eventId: message.eventId?.uuidString.lowercased(), releaseKey: message.releaseKey,
            occurredAt: message.occurredAt, recipient: message.recipient, subject: message.subject, text: message.text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding strings, optionals and a date cannot fail.
        return Array((try? encoder.encode(payload)) ?? Data())
    }
}

/// What a webhook receiver gets; receivers decode it (a test receiver does).
public struct WebhookPayload: Codable, Sendable, Equatable {
    /// The delivery id, also `Idempotency-Key`.
    public var id: String
    /// The event type, e.g. `release.phase_changed`.
    public var type: String
    public var eventId: String?
    public var releaseKey: String?
    public var occurredAt: Date
    public var recipient: String
    public var subject: String
    public var text: String
}
