/// The status of a release, orthogonal to its phase.
public enum ReleaseStatus: String, Codable, Sendable, CaseIterable {
    case draft
    case pendingApproval = "pending_approval"
    case inProgress = "in_progress"
    case onHold = "on_hold"
    case rejected
    case cancelled
    case backedOut = "backed_out"
    case completed

    /// A terminal status is final: no command changes it again.
    public var isTerminal: Bool {
        switch self {
        case .rejected, .cancelled, .backedOut, .completed: true
        case .draft, .pendingApproval, .inProgress, .onHold: false
        }
    }
}
