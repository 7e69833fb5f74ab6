/// The status of a release, orthogonal to its phase. A status this version does not know
/// decodes to `.unknown` (``ContractEnum``).
public enum ReleaseStatus: ContractEnum {
    case draft
    case pendingApproval
    case inProgress
    case onHold
    case rejected
    case cancelled
    case backedOut
    case completed
    /// A status this version does not know, with its wire name.
    case unknown(String)

    public static let allCases: [ReleaseStatus] = [
        .draft, .pendingApproval, .inProgress, .onHold, .rejected, .cancelled, .backedOut, .completed,
    ]

    public var rawValue: String {
        switch self {
        case .draft: "draft"
        case .pendingApproval: "pending_approval"
        case .inProgress: "in_progress"
        case .onHold: "on_hold"
        case .rejected: "rejected"
        case .cancelled: "cancelled"
        case .backedOut: "backed_out"
        case .completed: "completed"
        case .unknown(let rawValue): rawValue
        }
    }

    /// A terminal status is final: no command changes it again. An unknown status is not
    /// known to be final; rules that act on a release refuse an unknown status first.
    public var isTerminal: Bool {
        switch self {
        case .rejected, .cancelled, .backedOut, .completed: true
        case .draft, .pendingApproval, .inProgress, .onHold, .unknown: false
        }
    }
}
