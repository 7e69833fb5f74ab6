import Contracts
import Foundation

/// A rollout as its coordinator sees it, read under the rollout's row lock: its state, its
/// waves and every target. Pure data; ``RolloutCoordinator`` decides from it.
public struct RolloutSnapshot: Sendable, Equatable {
    public struct Wave: Sendable, Equatable {
        public var index: Int
        /// Targets deployed at once.
        public var window: Int
        /// What comes between this wave and the next.
        public var gateAfter: RolloutWaveGate
        public var completedAt: Date?
        /// The gate after this wave was approved (only for `.approval`).
        public var approved: Bool

        public init(index: Int, window: Int, gateAfter: RolloutWaveGate = .init(kind: .none), completedAt: Date? = nil, approved: Bool = false) {
            self.index = index
            self.window = window
            self.gateAfter = gateAfter
            self.completedAt = completedAt
            self.approved = approved
        }
    }

    public struct Target: Sendable, Equatable {
        /// The work plan's task for this source → target rollout: the target's identity.
        public var taskKey: String
        public var wave: Int
        /// Order inside the wave: targets others depend on come first.
        public var position: Int
        public var state: RolloutTargetState
        /// Task keys of targets that must be done first (succeeded, skipped or excluded).
        public var dependsOn: [String]
        /// When it succeeded: a halt backs out the latest first.
        public var succeededAt: Date?
        /// The target CI: two sources rolled out to one host never run at once (their
        /// scripts would race in the same folders). Nil: no such limit.
        public var host: String?

        public init(
            taskKey: String, wave: Int, position: Int, state: RolloutTargetState = .pending, dependsOn: [String] = [],
            succeededAt: Date? = nil, host: String? = nil
        ) {
            self.taskKey = taskKey
            self.wave = wave
            self.position = position
            self.state = state
            self.dependsOn = dependsOn
            self.succeededAt = succeededAt
            self.host = host
        }
    }

    public var state: RolloutState
    /// The wave running now (0-based).
    public var currentWave: Int
    /// Failed targets that halt the rollout (at least 1): reaching it halts.
    public var failureThreshold: Int
    public var backoutScope: RolloutBackoutScope
    public var waves: [Wave]
    public var targets: [Target]

    public init(
        state: RolloutState, currentWave: Int, failureThreshold: Int, backoutScope: RolloutBackoutScope, waves: [Wave], targets: [Target]
    ) {
        self.state = state
        self.currentWave = currentWave
        self.failureThreshold = failureThreshold
        self.backoutScope = backoutScope
        self.waves = waves
        self.targets = targets
    }
}
