import Foundation

/// How many failed logins an account and a client address may have before logins are
/// refused for a while (a pure rule; `IdentityStore` keeps the counts in `login_failures`).
///
/// Each subject has a fixed window that starts with its first failure: within it, the
/// `limit`-th failure blocks further attempts — right or wrong — until the window ends (the
/// store counts in SQL, in one atomic upsert per subject, with this `window`). A
/// success clears the account's count (not the address's: one good password must not reset
/// an address that is guessing many accounts).
public struct LoginThrottle: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable {
        case account, address
    }

    public let limit: Int
    public let window: Duration

    public static let account = LoginThrottle(limit: 5, window: .seconds(15 * 60))
    public static let address = LoginThrottle(limit: 20, window: .seconds(15 * 60))

    public static func of(_ scope: Scope) -> LoginThrottle { scope == .account ? account : address }

    /// When attempts may start again, or nil if one is allowed now.
    public func blockedUntil(failures: Int, windowStart: Date, now: Date) -> Date? {
        let end = windowStart.addingTimeInterval(Double(window.components.seconds))
        return failures >= limit && now < end ? end : nil
    }
}
