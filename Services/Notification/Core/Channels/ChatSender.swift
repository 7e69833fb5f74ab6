import Foundation

/// Delivers a notification to a Slack-compatible incoming webhook: `{"text": "*subject*\ntext"}`.
/// The URL itself is the credential (its path is the secret), so it is never logged; the
/// outcome mapping is `JSONPoster`'s (Slack answers 400/403/404 to a bad payload or a revoked
/// hook: permanent; 429 and 5xx: retryable).
public struct ChatSender: NotificationSender {
    public let poster: JSONPoster

    public init(poster: JSONPoster) {
        self.poster = poster
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let delivery = message.deliveryId.uuidString.lowercased()
        return await poster.post(
            to: message.address, body: Self.body(of: message),
            headers: [("Idempotency-Key", delivery), ("X-Shipboard-Delivery", delivery)])
    }

    /// The payload: the subject in bold, then the text, both escaped.
    public static func body(of message: OutboundMessage) -> [UInt8] {
        let text = "*\(escape(message.subject))*\n\(escape(message.text))"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(["text": text])) ?? Data())
    }

    /// Slack's escaping: `&`, `<` and `>` are control characters of its markup (links, mentions).
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
