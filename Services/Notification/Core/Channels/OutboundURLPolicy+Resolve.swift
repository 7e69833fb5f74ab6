/// The check right before sending: the URL as typed, then every address its host resolves to.
extension OutboundURLPolicy {
    /// What the check before a send found.
    public enum SendCheck: Sendable, Equatable {
        /// Every resolved address is allowed: send to `target`.
        case allowed(OutboundTarget)
        /// The URL or one of its addresses is refused: a permanent failure.
        case refused(reason: String)
        /// The host could not be resolved now (DNS may recover): a retryable failure.
        case unresolved(reason: String)
    }

    /// Checks `url` and, for a host name, every address it resolves to (any refused address
    /// refuses the URL: the client may connect to any of them).
    public func checkBeforeSending(_ url: String) async -> SendCheck {
        let target: OutboundTarget
        switch self.target(of: url) {
        case .failure(let refusal): return .refused(reason: refusal.reason)
        case .success(let accepted): target = accepted
        }
        if let reason = problem(withHost: target.host) { return .refused(reason: reason) }
        switch await HostResolver.addresses(of: target.host) {
        case .failure(let failure):
            return .unresolved(reason: "could not resolve the URL's host: \(failure.message)")
        case .success(let addresses):
            guard !addresses.isEmpty else { return .unresolved(reason: "the URL's host has no address") }
            for address in addresses {
                if let reason = problem(withAddress: address) { return .refused(reason: reason) }
            }
            return .allowed(target)
        }
    }
}
