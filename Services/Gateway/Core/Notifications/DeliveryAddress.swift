import Foundation

/// How the delivery log shows where a message went. A webhook or chat URL often carries a
/// token in its path or query (a Slack incoming webhook is one), so only its host is shown,
/// to everyone; an email address is shown as it is.
public enum DeliveryAddress {
    public static func shown(channel: String, address: String?) -> String? {
        guard let address else { return nil }
        switch channel {
        case "email": return address
        case "webhook", "chat": return URLComponents(string: address)?.host ?? "(not a URL)"
        default: return nil
        }
    }
}
