/// Published by shipboard-planning's periodic verification when an audit chain no longer
/// checks out (a forged, changed or missing entry, a cut-back chain, a release row changed
/// behind the service's back). Once per chain and finding for as long as the process runs.
public struct AuditChainBroken: EventContract, Equatable {
    public static let messageType = "planning.audit_chain_broken"
    /// A release key, or a shared chain (`CMDB`, `CONFIGURATION`).
    public var chain: String
    /// The first entry that does not check out.
    public var seq: Int
    /// What is wrong, e.g. "entry 4 was changed after it was written, or not written by the service".
    public var reason: String

    public init(chain: String, seq: Int, reason: String) {
        self.chain = chain
        self.seq = seq
        self.reason = reason
    }
}
