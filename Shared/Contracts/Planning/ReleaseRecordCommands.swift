import Foundation

// Commands that create or edit a release's record (not its lifecycle). The actor of the
// envelope is the one who asked; new fields must stay optional (MessageContract).

/// `planning.create_release`: records a new release in `initiate`/`draft`.
///
/// Fields left nil are taken from the template named by `templateName`, if any.
public struct CreateRelease: CommandContract, Equatable {
    public static let messageType = "planning.create_release"
    public typealias Result = ReleaseSummary

    public var title: String
    public var description: String?
    public var type: ReleaseType?
    public var impact: Impact?
    public var urgency: Urgency?
    public var risk: ReleaseRisk?
    public var businessJustification: String?
    /// Who asks for the release; the envelope's actor when nil.
    public var requester: String?
    public var coordinator: String?
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    public var targetDate: Date?
    public var templateName: String?
    /// The job plan to apply in `plan`; a template may preset it.
    public var jobPlanName: String?
    /// A release manager's reason to schedule the deployment inside a blackout anyway
    /// (audited, recorded as the release's deployment override). Without it such a schedule is refused.
    public var freezeOverrideReason: String?
    /// Set by the gateway from the authenticated user's roles, never from what a client sends.
    public var asReleaseManager: Bool?

    public init(
        title: String, description: String? = nil, type: ReleaseType? = nil, impact: Impact? = nil,
        urgency: Urgency? = nil, risk: ReleaseRisk? = nil, businessJustification: String? = nil,
        requester: String? = nil, coordinator: String? = nil, scheduledStart: Date? = nil,
        scheduledEnd: Date? = nil, targetDate: Date? = nil, templateName: String? = nil,
        jobPlanName: String? = nil
    ) {
        self.title = title
        self.description = description
        self.type = type
        self.impact = impact
        self.urgency = urgency
        self.risk = risk
        self.businessJustification = businessJustification
        self.requester = requester
        self.coordinator = coordinator
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.targetDate = targetDate
        self.templateName = templateName
        self.jobPlanName = jobPlanName
    }
}

/// `planning.update_release`: changes the descriptive fields of a release; nil leaves a field as it is.
public struct UpdateRelease: CommandContract, ReleaseViewExpectation, Equatable {
    public static let messageType = "planning.update_release"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var title: String?
    public var description: String?
    public var impact: Impact?
    public var urgency: Urgency?
    public var risk: ReleaseRisk?
    public var businessJustification: String?
    public var coordinator: String?
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    public var targetDate: Date?
    /// Editable only while the release is in `initiate`.
    public var type: ReleaseType?
    /// Editable only while the release is in `initiate`.
    public var jobPlanName: String?
    /// A manual priority instead of the one impact × urgency gives; needs `priorityReason`.
    /// A later change of impact or urgency computes the priority again.
    public var priority: Priority?
    public var priorityReason: String?
    /// What the sender saw (see `ReleaseViewExpectation`).
    public var expectedPhase: ReleasePhase
    public var expectedVersion: Int?
    /// A release manager's reason to schedule the deployment inside a blackout anyway
    /// (audited, recorded as the release's deployment override). Without it such a schedule is refused.
    public var freezeOverrideReason: String?
    /// Set by the gateway from the authenticated user's roles, never from what a client sends.
    public var asReleaseManager: Bool?

    public init(
        releaseKey: String, title: String? = nil, description: String? = nil, impact: Impact? = nil,
        urgency: Urgency? = nil, risk: ReleaseRisk? = nil, businessJustification: String? = nil,
        coordinator: String? = nil, scheduledStart: Date? = nil, scheduledEnd: Date? = nil,
        targetDate: Date? = nil, type: ReleaseType? = nil, jobPlanName: String? = nil,
        priority: Priority? = nil, priorityReason: String? = nil,
        expectedPhase: ReleasePhase, expectedVersion: Int? = nil
    ) {
        self.releaseKey = releaseKey
        self.title = title
        self.description = description
        self.impact = impact
        self.urgency = urgency
        self.risk = risk
        self.businessJustification = businessJustification
        self.coordinator = coordinator
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.targetDate = targetDate
        self.type = type
        self.jobPlanName = jobPlanName
        self.priority = priority
        self.priorityReason = priorityReason
        self.expectedPhase = expectedPhase
        self.expectedVersion = expectedVersion
    }
}
