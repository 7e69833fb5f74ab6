/// `planning.verify_audit_trail`: checks a release's audit chain — every entry's MAC, every
/// link, and the head on the release row — and answers the verdict. A command, not a query,
/// because only shipboard-planning holds the audit keys; it changes nothing.
public struct VerifyAuditTrail: CommandContract, Equatable {
    public static let messageType = "planning.verify_audit_trail"
    public typealias Result = AuditTrailVerdict

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// The verdict on one audit chain.
public struct AuditTrailVerdict: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var intact: Bool
    /// Entries checked, when intact.
    public var entries: Int?
    /// The first entry that does not check out, when broken.
    public var brokenAt: Int?
    /// What is wrong, when broken.
    public var reason: String?

    public init(releaseKey: String, intact: Bool, entries: Int? = nil, brokenAt: Int? = nil, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.intact = intact
        self.entries = entries
        self.brokenAt = brokenAt
        self.reason = reason
    }
}
