import Foundation

/// Who a bearer token belongs to, remembered for at most `lifetime` (and never past the
/// token's expiry), so a client's burst of requests costs one database read a second instead
/// of one each. The price, documented: a token revoked by another gateway replica, or a user
/// disabled or given other roles in the database, takes effect here within `lifetime`;
/// revocations and logouts through this gateway clear the cache at once.
public actor AuthenticationCache {
    public let lifetime: Duration
    private var entries: [String: (user: GatewayUser, until: ContinuousClock.Instant)] = [:]

    public init(lifetime: Duration = .seconds(1)) {
        self.lifetime = lifetime
    }

    public func user(for token: String, now: ContinuousClock.Instant = .now) -> GatewayUser? {
        guard let entry = entries[token] else { return nil }
        guard entry.until > now else {
            entries[token] = nil
            return nil
        }
        return entry.user
    }

    /// Remembers `user` for `token` until `lifetime` from now or `expiresIn`, whichever is sooner.
    public func store(_ user: GatewayUser, for token: String, expiresIn: Duration, now: ContinuousClock.Instant = .now) {
        if entries.count > 10_000 { entries.removeAll() }  // bounded: tokens are few, garbage is not
        entries[token] = (user, now + min(lifetime, expiresIn))
    }

    public func clear() {
        entries.removeAll()
    }
}
