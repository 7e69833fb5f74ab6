import Contracts

/// The lifecycle state of one release: a pure value that `ReleaseLifecycle` turns into the
/// next state. Persisting it and emitting its events is the caller's job.
///
/// Invariants kept by `ReleaseLifecycle`: `approvals` holds only decisions of the current
/// phase; `history` only grows; a terminal status never changes.
public struct ReleaseState: Codable, Sendable, Equatable {
    /// The release key, e.g. `REL-000001`.
    public var key: String
    public var type: ReleaseType
    public var phase: ReleasePhase
    public var status: ReleaseStatus
    public var requester: String
    public var coordinator: String?
    /// The approval gate of each phase; a phase missing here has none.
    public var gates: [ReleasePhase: ApprovalGate]
    /// Decisions taken at the current phase's gate (cleared when the phase changes).
    public var approvals: [ApprovalDecision]
    /// Every accepted lifecycle command, oldest first.
    public var history: [LifecycleRecord]

    /// A new release: `initiate`, `draft`, no approvals, empty history.
    public init(
        key: String, type: ReleaseType, requester: String, coordinator: String? = nil,
        gates: [ReleasePhase: ApprovalGate] = [:]
    ) {
        self.key = key
        self.type = type
        self.phase = .initiate
        self.status = .draft
        self.requester = requester
        self.coordinator = coordinator
        self.gates = gates
        self.approvals = []
        self.history = []
    }

    /// The gate of the current phase, if it has one.
    public var currentGate: ApprovalGate? {
        gates[phase]
    }

    /// Distinct approvers of the current phase.
    public var approvalCount: Int {
        Set(approvals.filter { $0.verdict == .approved }.map(\.actor)).count
    }

    /// True when the current phase has no gate or its required approvals are reached.
    public var isGateOpen: Bool {
        guard let gate = currentGate else { return true }
        return approvalCount >= gate.requiredApprovals
    }

    /// True when `actor` requested or coordinates this release (and so may never approve it).
    public func isRequesterOrCoordinator(_ actor: String) -> Bool {
        actor == requester || actor == coordinator
    }

    /// The short form used in replies.
    public var summary: ReleaseSummary {
        ReleaseSummary(releaseKey: key, phase: phase, status: status)
    }
}
