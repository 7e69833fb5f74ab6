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
    /// Everyone who took part in the release — its creator, its submitter, every requester
    /// and coordinator it has had — normalised (`PersonID`), sorted, each once. None of them
    /// may approve or reject it (segregation of duties), also after handing a role on.
    public private(set) var parties: [String]
    /// The release leaves a phase by itself as soon as its exit criteria and gate allow
    /// (checked when a task finishes and when its gate opens). Off unless set.
    public var autoAdvance = false

    /// A new release: `initiate`, `draft`, no approvals, empty history.
    public init(
        key: String, type: ReleaseType, requester: String, coordinator: String? = nil,
        gates: [ReleasePhase: ApprovalGate] = [:], creator: String? = nil
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
        self.parties = []
        for party in [creator, requester, coordinator].compactMap({ $0 }) { addParty(party) }
    }

    private enum CodingKeys: String, CodingKey {
        case key, type, phase, status, requester, coordinator, gates, approvals, history, parties, autoAdvance
    }

    /// A state stored before parties were recorded gets its requester, coordinator and
    /// submitters (its creator is only in the audit trail).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        type = try container.decode(ReleaseType.self, forKey: .type)
        phase = try container.decode(ReleasePhase.self, forKey: .phase)
        status = try container.decode(ReleaseStatus.self, forKey: .status)
        requester = try container.decode(String.self, forKey: .requester)
        coordinator = try container.decodeIfPresent(String.self, forKey: .coordinator)
        gates = try container.decode([ReleasePhase: ApprovalGate].self, forKey: .gates)
        approvals = try container.decode([ApprovalDecision].self, forKey: .approvals)
        history = try container.decode([LifecycleRecord].self, forKey: .history)
        autoAdvance = try container.decodeIfPresent(Bool.self, forKey: .autoAdvance) ?? false
        if let stored = try container.decodeIfPresent([String].self, forKey: .parties) {
            parties = stored
        } else {
            parties = []
            let submitters = history.filter { $0.action == .submitted }.map(\.actor)
            for party in [requester] + [coordinator].compactMap({ $0 }) + submitters { addParty(party) }
        }
    }

    /// Records `person` as a party (normalised, once).
    public mutating func addParty(_ person: String) {
        let id = PersonID.normalized(person)
        guard !id.isEmpty, !parties.contains(id) else { return }
        parties.append(id)
        parties.sort()
    }

    /// True when `actor` (compared normalised) is or was a party of this release.
    public func isParty(_ actor: String) -> Bool {
        let id = PersonID.normalized(actor)
        return parties.contains(id) || isRequesterOrCoordinator(id)
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
        let id = PersonID.normalized(actor)
        return id == PersonID.normalized(requester) || id == coordinator.map(PersonID.normalized)
    }

    /// The short form used in replies.
    public var summary: ReleaseSummary {
        ReleaseSummary(releaseKey: key, phase: phase, status: status)
    }
}
