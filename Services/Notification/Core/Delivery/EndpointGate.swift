import Contracts
import Foundation

/// How many sends run at once per endpoint (a webhook's or chat hook's scheme, host and port;
/// the SMTP server is one endpoint). A send that finds its endpoint full is not started: the
/// dispatcher puts it back for a moment, so a slow or dead endpoint holds at most its own
/// slots and never the ones others need.
public actor EndpointGate {
    public let limit: Int
    private var inFlight: [String: Int] = [:]

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public func tryEnter(_ endpoint: String) -> Bool {
        let current = inFlight[endpoint, default: 0]
        guard current < limit else { return false }
        inFlight[endpoint] = current + 1
        return true
    }

    public func leave(_ endpoint: String) {
        let current = inFlight[endpoint, default: 1] - 1
        inFlight[endpoint] = current > 0 ? current : nil
    }

    /// The endpoint a delivery goes to.
    public static func endpoint(channel: NotificationChannel, address: String) -> String {
        switch channel {
        case .email: return "smtp"
        case .inApp: return "in_app"
        default:
            guard let url = URL(string: address), let host = url.host?.lowercased() else { return "url:invalid" }
            let scheme = url.scheme?.lowercased() ?? "https"
            return "\(scheme)://\(host):\(url.port ?? (scheme == "http" ? 80 : 443))"
        }
    }
}
