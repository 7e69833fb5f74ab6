import Contracts
import Foundation

/// A rollout's own row (`<schema>.rollouts`): what was planned, where it stands, and which
/// of planning's automated tasks wait on it.
public struct RolloutRecord: Sendable, Equatable {
    public var id: UUID
    public var releaseKey: String
    public var state: RolloutState
    public var currentWave: Int
    public var sources: [String]
    public var window: Int
    public var threshold: RolloutFailureThreshold
    /// The threshold as a count of failed targets.
    public var haltAfter: Int
    public var backoutScope: RolloutBackoutScope
    public var image: RolloutImage
    /// Planning's `rollout-plan` task, answered when the plan is made.
    public var planTaskKey: String?
    /// Planning's deploy task, answered when the rollout ends.
    public var startTaskKey: String?
    public var reason: String?
    /// When a timed gate opens.
    public var wakeAt: Date?

    /// The holder name this rollout pins its DML entry under.
    public var dmlHolder: String { "rollout:\(id.uuidString.lowercased())" }
}

/// The DML entry a rollout deploys.
public struct RolloutImage: Sendable, Equatable {
    public var name: String
    public var version: String
    public var sha256: String

    public init(name: String, version: String, sha256: String) {
        self.name = name
        self.version = version
        self.sha256 = sha256
    }

    /// `name@version`.
    public var coordinate: String { "\(name)@\(version)" }
}

/// One target row as the coordinator reads it under the rollout's lock.
public struct TargetRow: Sendable, Equatable {
    public var taskKey: String
    public var target: String
    public var site: String
    public var wave: Int
    public var position: Int
    public var dependsOn: [String]
    public var state: RolloutTargetState
    public var action: DeployJobAction
    public var attempts: Int
    /// Dispatched and not yet claimed by a worker (no lease).
    public var leaseUntil: Date?
    public var backoutSeq: Int?
    public var succeededAt: Date?

    /// The coordinator rules' view of it.
    var snapshot: RolloutSnapshot.Target {
        RolloutSnapshot.Target(
            taskKey: taskKey, wave: wave, position: position, state: state, dependsOn: dependsOn, succeededAt: succeededAt,
            host: target)
    }
}

/// One wave row.
public struct WaveRow: Sendable, Equatable {
    public var index: Int
    public var kind: PlannedWaveKind
    public var sites: [String]
    public var gateAfter: RolloutWaveGate
    public var openedAt: Date?
    public var completedAt: Date?
    public var approved: Bool
}
