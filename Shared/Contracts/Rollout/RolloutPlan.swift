/// A planned rollout: its waves, and one rollout per unique source → target pair, each a task
/// of the release's work plan. Each fact is stated once: a rollout says which wave, batch and
/// position it has; a wave says why it exists and what follows it.
public struct RolloutPlan: Codable, Sendable, Equatable {
    /// The source CI keys, in key order.
    public var sources: [String]
    /// Deploy jobs running at once in a wave.
    public var window: Int
    /// The threshold as asked.
    public var failureThreshold: RolloutFailureThreshold
    /// Failed rollouts that halt the rollout: the threshold as a count (a percentage of the
    /// rollouts, rounded up, at least 1).
    public var haltAfterFailures: Int
    public var backoutScope: RolloutBackoutScope
    /// In the order they run.
    public var waves: [PlannedWave]
    /// Every rollout, in deploy order: by wave, then position.
    public var rollouts: [PlannedRollout]

    public init(
        sources: [String], window: Int, failureThreshold: RolloutFailureThreshold, haltAfterFailures: Int,
        backoutScope: RolloutBackoutScope, waves: [PlannedWave], rollouts: [PlannedRollout]
    ) {
        self.sources = sources
        self.window = window
        self.failureThreshold = failureThreshold
        self.haltAfterFailures = haltAfterFailures
        self.backoutScope = backoutScope
        self.waves = waves
        self.rollouts = rollouts
    }
}

/// One wave of a plan.
public struct PlannedWave: Codable, Sendable, Equatable {
    /// 0-based, the order waves run in.
    public var index: Int
    public var kind: PlannedWaveKind
    /// The sites of its targets: the wave's site first, then the sites of targets pulled in
    /// because the wave's targets depend on them (for the canary: in site order).
    public var sites: [String]
    /// What happens before the next wave opens (`none` for the last wave).
    public var gateAfter: RolloutWaveGate

    public init(index: Int, kind: PlannedWaveKind, sites: [String], gateAfter: RolloutWaveGate) {
        self.index = index
        self.kind = kind
        self.sites = sites
        self.gateAfter = gateAfter
    }
}

/// One source → target rollout: one deploy job, one task of the work plan.
public struct PlannedRollout: Codable, Sendable, Equatable {
    /// `rollout-<source>-<target>`, lower-cased: a valid, unique task key of the work plan.
    public var taskKey: String
    public var source: String
    public var target: String
    /// The target's site.
    public var site: String
    /// The wave's index.
    public var wave: Int
    /// 0-based inside the wave; a batch is at most `window` rollouts that may run together.
    public var batch: Int
    /// 0-based order inside the wave.
    public var position: Int
    /// Task keys of the rollouts that must be done first: every rollout to a target CI this
    /// target depends on (`depends_on`, `runs_on`) that is in the plan.
    public var dependsOn: [String]

    public init(
        taskKey: String, source: String, target: String, site: String, wave: Int, batch: Int, position: Int,
        dependsOn: [String] = []
    ) {
        self.taskKey = taskKey
        self.source = source
        self.target = target
        self.site = site
        self.wave = wave
        self.batch = batch
        self.position = position
        self.dependsOn = dependsOn
    }
}
