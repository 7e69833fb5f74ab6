import Contracts

/// Presets for a new release: type, impact, urgency, risk, the job plan to apply in `plan`,
/// and the approval gate of each phase. Values given explicitly on creation win.
public struct ReleaseTemplate: Codable, Sendable, Equatable {
    /// The name a `CreateRelease` refers to in `templateName`.
    public var name: String
    public var description: String
    public var type: ReleaseType
    public var impact: Impact?
    public var urgency: Urgency?
    public var risk: ReleaseRisk?
    public var jobPlanName: String?
    /// Phases without an entry have no gate.
    public var gates: [ReleasePhase: ApprovalGate]

    public init(
        name: String, description: String = "", type: ReleaseType, impact: Impact? = nil, urgency: Urgency? = nil,
        risk: ReleaseRisk? = nil, jobPlanName: String? = nil, gates: [ReleasePhase: ApprovalGate] = [:]
    ) {
        self.name = name
        self.description = description
        self.type = type
        self.impact = impact
        self.urgency = urgency
        self.risk = risk
        self.jobPlanName = jobPlanName
        self.gates = gates
    }

    /// The command with every field it leaves nil filled from this template.
    public func apply(to command: CreateRelease) -> CreateRelease {
        var filled = command
        filled.type = command.type ?? type
        filled.impact = command.impact ?? impact
        filled.urgency = command.urgency ?? urgency
        filled.risk = command.risk ?? risk
        filled.jobPlanName = command.jobPlanName ?? jobPlanName
        filled.templateName = name
        return filled
    }

    /// The lifecycle state of a new release made from this template.
    public func makeState(key: String, requester: String, coordinator: String?) -> ReleaseState {
        ReleaseState(key: key, type: type, requester: requester, coordinator: coordinator, gates: gates)
    }
}
