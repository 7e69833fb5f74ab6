// Where a rollout, one of its waves and one of its targets stand: the states every
// replica of shipboard-rollout, the gateway and notifications read the same way.

/// One target of a rollout (one source → target CI deploy).
public enum RolloutTargetState: ContractEnum {
    case pending, running, succeeded, failed, backedOut, skipped, excluded
    case unknown(String)

    public static let allCases: [RolloutTargetState] = [.pending, .running, .succeeded, .failed, .backedOut, .skipped, .excluded]

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .backedOut: "backed_out"
        case .skipped: "skipped"
        case .excluded: "excluded"
        case .unknown(let rawValue): rawValue
        }
    }

    /// Nothing more is deployed to it in this rollout (a failed target may still be retried).
    public var isSettled: Bool { self != .pending && self != .running }

    /// Counts as done for the targets that depend on it and for its wave.
    public var releasesDependents: Bool { self == .succeeded || self == .skipped || self == .excluded }
}

/// A whole rollout.
public enum RolloutState: ContractEnum {
    case planned, running, paused, halted, backingOut, backedOut, aborted, completed
    case unknown(String)

    public static let allCases: [RolloutState] = [.planned, .running, .paused, .halted, .backingOut, .backedOut, .aborted, .completed]

    public var rawValue: String {
        switch self {
        case .planned: "planned"
        case .running: "running"
        case .paused: "paused"
        case .halted: "halted"
        case .backingOut: "backing_out"
        case .backedOut: "backed_out"
        case .aborted: "aborted"
        case .completed: "completed"
        case .unknown(let rawValue): rawValue
        }
    }

    /// Nothing more happens to it.
    public var isFinal: Bool { self == .backedOut || self == .aborted || self == .completed }
}
