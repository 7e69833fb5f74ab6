import Contracts
import Foundation

/// A release as stored in `<schema>.releases`: the fields people edit, plus the lifecycle
/// state (phase, status, and the rest of it as JSON) that the lifecycle rules own.
public struct ReleaseRecord: Sendable, Equatable {
    public var key: String
    public var title: String
    public var description: String
    public var type: String
    public var impact: String
    public var urgency: String
    public var priority: String
    public var risk: String
    public var justification: String
    public var requester: String
    public var coordinator: String
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    /// The day the release should be done by (a calendar date, kept at UTC midnight).
    public var targetDate: Date?
    public var template: String?
    /// The job plan to apply in `plan`, preset by the template or given on creation.
    public var jobPlanName: String?
    public var phase: String
    public var status: String
    /// The lifecycle's own state (approvals, history), encoded by its owner.
    public var state: Data
    /// Incremented on every save: a stale save is a conflict (optimistic locking).
    public var version: Int
    /// Where the release's audit chain ends (sequence 0 before its first entry): moved by
    /// every command that appends to the chain, and saved with the release.
    public var auditSeq: Int = 0
    public var auditMAC: String = AuditTrail.genesisMAC

    /// The head of the release's audit chain, as entries are appended after it.
    public var auditHead: AuditHead {
        get { AuditHead(chain: key, seq: auditSeq, mac: auditMAC) }
        set {
            auditSeq = newValue.seq
            auditMAC = newValue.mac
        }
    }

    public init(
        key: String, title: String, description: String = "", type: String, impact: String, urgency: String,
        priority: String, risk: String = "medium", justification: String = "", requester: String, coordinator: String,
        scheduledStart: Date? = nil, scheduledEnd: Date? = nil, targetDate: Date? = nil, template: String? = nil,
        jobPlanName: String? = nil, phase: String = "initiate", status: String = "draft", state: Data = Data("{}".utf8), version: Int = 1
    ) {
        self.key = key
        self.title = title
        self.description = description
        self.type = type
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.risk = risk
        self.justification = justification
        self.requester = requester
        self.coordinator = coordinator
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.targetDate = targetDate
        self.template = template
        self.jobPlanName = jobPlanName
        self.phase = phase
        self.status = status
        self.state = state
        self.version = version
    }
}
