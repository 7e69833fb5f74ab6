import Contracts
import Foundation

/// One entry of a release's lifecycle history: who did what, when, in which phase, and why.
///
/// The history is append-only: every accepted lifecycle command adds exactly one record,
/// and none is ever changed or removed.
public struct LifecycleRecord: Codable, Sendable, Equatable {
    /// What happened.
    public enum Action: String, Codable, Sendable, CaseIterable {
        case submitted, approved, rejected, advanced, held, resumed, cancelled, closed
        case backedOut = "backed_out"
    }

    public var action: Action
    public var actor: String
    public var at: Date
    /// The phase the release was in when the action was taken.
    public var phase: ReleasePhase
    public var fromStatus: ReleaseStatus
    public var toStatus: ReleaseStatus
    public var reason: String?

    public init(
        action: Action, actor: String, at: Date, phase: ReleasePhase, fromStatus: ReleaseStatus,
        toStatus: ReleaseStatus, reason: String? = nil
    ) {
        self.action = action
        self.actor = actor
        self.at = at
        self.phase = phase
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.reason = reason
    }
}
