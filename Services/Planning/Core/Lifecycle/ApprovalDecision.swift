import Contracts
import Foundation

/// One approver's decision at a phase's gate.
public struct ApprovalDecision: Codable, Sendable, Equatable {
    /// Approved or rejected.
    public enum Verdict: String, Codable, Sendable {
        case approved, rejected
    }

    public var phase: ReleasePhase
    public var actor: String
    public var verdict: Verdict
    public var at: Date
    /// The rejection reason (required) or the approval comment (optional).
    public var reason: String?

    public init(phase: ReleasePhase, actor: String, verdict: Verdict, at: Date, reason: String? = nil) {
        self.phase = phase
        self.actor = actor
        self.verdict = verdict
        self.at = at
        self.reason = reason
    }

    /// Whether `actor` already decided (approved or rejected) at `phase`'s gate: one decision
    /// per approver and phase (planning refuses a second; the dashboard offers none).
    public static func hasDecided(_ actor: String, at phase: ReleasePhase, in decisions: [ApprovalDecision]) -> Bool {
        let id = PersonID.normalized(actor)
        return decisions.contains { PersonID.normalized($0.actor) == id && $0.phase == phase }
    }
}
