import Contracts

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

    /// The slots left now: what the dispatcher may claim per endpoint.
    public func slots() -> DeliveryStore.EndpointSlots {
        DeliveryStore.EndpointSlots(perEndpoint: limit, free: inFlight.mapValues { max(0, limit - $0) })
    }

    /// The endpoint a delivery goes to: a webhook's or chat hook's authority (host and port as
    /// written, lower-cased), else the channel (every email goes through the one SMTP server).
    /// `DeliveryStore.claimDue` computes the same key in SQL.
    public static func endpoint(channel: NotificationChannel, address: String) -> String {
        switch channel {
        case .webhook, .chat:
            guard let scheme = address.range(of: "://") else { return "" }
            let rest = address[scheme.upperBound...]
            return String(rest.prefix { !"/?#".contains($0) }).lowercased()
        default:
            return channel.rawValue
        }
    }
}
