import Contracts
import Foundation

/// A release's latest rollout as the gateway shows it: the rollout, its progress, each wave
/// and each site. The JSON shape is the API's `RolloutStatus`.
public struct RolloutStatusView: Codable, Sendable, Equatable {
    public struct Wave: Codable, Sendable, Equatable {
        public var index: Int
        public var kind: String
        public var sites: [String]
        public var gateAfter: RolloutWaveGate
        public var openedAt: Date?
        public var completedAt: Date?
        public var approvedBy: String?
        public var approvedAt: Date?
        public var progress: RolloutProgress
    }

    public struct Site: Codable, Sendable, Equatable {
        public var site: String
        public var pool: String?
        public var liveWorkers: Int
        public var waiting: Int
        public var progress: RolloutProgress
    }

    public var id: String
    public var releaseKey: String
    public var state: String
    /// The DML entry, `name@version`.
    public var image: String
    public var currentWave: Int
    public var window: Int
    public var haltAfterFailures: Int
    public var reason: String?
    public var plannedBy: String
    public var plannedAt: Date
    public var startedBy: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var progress: RolloutProgress
    public var waves: [Wave]
    public var sites: [Site]
}
