import Contracts
import Foundation

/// One release in full: its record, where it stands, the decisions at its current gate,
/// its lifecycle history and its change requests.
public struct ReleaseDetail: Codable, Sendable, Equatable {
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
    /// The day the release should be done by (UTC midnight).
    public var targetDate: Date?
    public var template: String?
    public var jobPlanName: String?
    public var phase: ReleasePhase
    public var status: ReleaseStatus
    /// Incremented on every save; a client can send it back to detect concurrent edits.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The gate of the current phase, if it has one.
    public var currentGate: ApprovalGate?
    /// Decisions taken at the current phase's gate.
    public var approvals: [ApprovalDecision]
    /// Every accepted lifecycle command, oldest first.
    public var history: [LifecycleRecord]
    public var changes: [ChangeRequest]
}
