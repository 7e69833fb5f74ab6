/// The approval a phase needs before the release may leave it (or, for `initiate`, before a
/// submitted release is authorized): how many distinct members of a group must approve.
///
/// A phase without a gate needs no approval. Segregation of duties is enforced by
/// `ReleaseLifecycle`, not here: the requester and the coordinator never count.
public struct ApprovalGate: Codable, Sendable, Equatable {
    /// The approver group whose members may approve, e.g. `cab` or `release-managers`.
    public var approverGroup: String
    /// Distinct approvals needed; at least 1.
    public var requiredApprovals: Int

    /// A gate; `requiredApprovals` below 1 is raised to 1 (a gate that needs nothing is no gate).
    public init(approverGroup: String, requiredApprovals: Int = 1) {
        self.approverGroup = approverGroup
        self.requiredApprovals = max(1, requiredApprovals)
    }
}
