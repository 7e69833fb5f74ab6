// Commands that configure shipboard-planning: release templates, approver groups and the
// severity of each phase's exit criteria. Each is audited under the chain key
// `CONFIGURATION` and announced by `planning.configuration_changed`.
// Names and severities travel as text and are validated by the service.

/// The approval gate a template gives a phase.
public struct ApprovalGateSpec: Codable, Sendable, Equatable {
    public var approverGroup: String
    public var requiredApprovals: Int

    public init(approverGroup: String, requiredApprovals: Int = 1) {
        self.approverGroup = approverGroup
        self.requiredApprovals = requiredApprovals
    }
}

/// `planning.define_release_template`: creates a template or replaces its presets (a new version).
public struct DefineReleaseTemplate: CommandContract, Equatable {
    public static let messageType = "planning.define_release_template"
    public typealias Result = ReleaseTemplateSummary

    /// Lower-case letters, digits, `_`, `.`, `-`; at most 64 characters.
    public var name: String
    public var description: String?
    public var type: ReleaseType
    public var impact: Impact?
    public var urgency: Urgency?
    public var risk: ReleaseRisk?
    public var jobPlanName: String?
    /// The gate of each phase; phases left out have none.
    public var gates: [ReleasePhase: ApprovalGateSpec]

    public init(
        name: String, description: String? = nil, type: ReleaseType, impact: Impact? = nil, urgency: Urgency? = nil,
        risk: ReleaseRisk? = nil, jobPlanName: String? = nil, gates: [ReleasePhase: ApprovalGateSpec] = [:]
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
}

/// `planning.retire_release_template`: new releases can no longer use the template; releases made from it keep their copy.
public struct RetireReleaseTemplate: CommandContract, Equatable {
    public static let messageType = "planning.retire_release_template"
    public typealias Result = ReleaseTemplateSummary

    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// The reply about a template.
public struct ReleaseTemplateSummary: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var retired: Bool

    public init(name: String, version: Int, retired: Bool) {
        self.name = name
        self.version = version
        self.retired = retired
    }
}

/// `planning.add_approver`: adds a person to an approver group (creating the group).
public struct AddApprover: CommandContract, Equatable {
    public static let messageType = "planning.add_approver"
    public typealias Result = ApproverGroupSummary

    public var group: String
    public var member: String

    public init(group: String, member: String) {
        self.group = group
        self.member = member
    }
}

/// `planning.remove_approver`: removes a person from an approver group. Decisions they
/// already took stay recorded.
public struct RemoveApprover: CommandContract, Equatable {
    public static let messageType = "planning.remove_approver"
    public typealias Result = ApproverGroupSummary

    public var group: String
    public var member: String

    public init(group: String, member: String) {
        self.group = group
        self.member = member
    }
}

/// The reply about an approver group: its members after the change, sorted.
public struct ApproverGroupSummary: Codable, Sendable, Equatable {
    public var group: String
    public var members: [String]

    public init(group: String, members: [String]) {
        self.group = group
        self.members = members
    }
}

/// `planning.set_group_assignment`: how the group's tasks get an assignee when they become
/// ready: `round_robin` (in turn, the default) or `least_loaded` (the member with the fewest
/// open tasks across releases).
public struct SetGroupAssignment: CommandContract, Equatable {
    public static let messageType = "planning.set_group_assignment"
    public typealias Result = GroupAssignmentSummary

    public var group: String
    public var policy: String

    public init(group: String, policy: String) {
        self.group = group
        self.policy = policy
    }
}

/// The reply about a group's assignment policy.
public struct GroupAssignmentSummary: Codable, Sendable, Equatable {
    public var group: String
    public var policy: String

    public init(group: String, policy: String) {
        self.group = group
        self.policy = policy
    }
}

/// `planning.configure_exit_criterion`: sets how a failing criterion of a phase is treated:
/// `warning` (reported), `error` (blocks leaving the phase) or `off` (not evaluated).
public struct ConfigureExitCriterion: CommandContract, Equatable {
    public static let messageType = "planning.configure_exit_criterion"
    public typealias Result = ExitCriteriaSummary

    public var phase: ReleasePhase
    /// One of the criteria the service knows, e.g. `changes_added`.
    public var criterion: String
    public var severity: String

    public init(phase: ReleasePhase, criterion: String, severity: String) {
        self.phase = phase
        self.criterion = criterion
        self.severity = severity
    }
}

/// The reply about a phase's exit criteria: criterion → `warning` or `error`.
public struct ExitCriteriaSummary: Codable, Sendable, Equatable {
    public var phase: ReleasePhase
    public var criteria: [String: String]

    public init(phase: ReleasePhase, criteria: [String: String]) {
        self.phase = phase
        self.criteria = criteria
    }
}

/// `planning.configuration_changed`: a template, approver group or exit-criterion setting changed.
public struct PlanningConfigurationChanged: EventContract, Equatable {
    public static let messageType = "planning.configuration_changed"
    /// `release_template`, `approver_group` or `exit_criteria`.
    public var kind: String
    /// The template or group name, or the phase.
    public var subject: String
    /// What happened, e.g. `defined`, `retired`, `member_added`, `set_error`.
    public var action: String
    public var actor: String

    public init(kind: String, subject: String, action: String, actor: String) {
        self.kind = kind
        self.subject = subject
        self.action = action
        self.actor = actor
    }
}
