import Foundation

/// A release's delivery log as CSV (``CSVText``), one row per delivery, columns in the order
/// of the API's `NotificationDelivery`; times in UTC ISO 8601.
public enum DeliveryLogCSV {
    public static let header = [
        "id", "event_type", "recipient", "channel", "address", "reason", "state", "attempts", "last_error", "created_at", "sent_at",
    ]

    public static func render(_ deliveries: [DeliveryView]) -> String {
        let time = Date.ISO8601FormatStyle()
        return CSVText.render(header: header, rows: deliveries.map { delivery in
            [delivery.id, delivery.eventType, delivery.recipient, delivery.channel, delivery.address ?? "", delivery.reason,
             delivery.state, String(delivery.attempts), delivery.lastError ?? "", delivery.createdAt.formatted(time),
             delivery.sentAt?.formatted(time) ?? ""]
        })
    }
}
