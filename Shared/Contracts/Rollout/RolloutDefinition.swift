// What a person asks for when planning a rollout (`rollout.request_plan`): what goes where,
// in which waves, and when it stops. Every field a person types is checked by
// shipboard-rollout's planner (RolloutDefinitionRules) before anything is planned; optional
// fields have the defaults stated here, and new fields must stay optional (MessageContract).

/// How a release is rolled out.
public struct RolloutDefinition: Codable, Sendable, Equatable {
    /// Deploy jobs (source → target rollouts) running at once in a wave when `window` is absent.
    public static let defaultWindow = 5
    /// Halt at the first failed rollout when `failureThreshold` is absent.
    public static let defaultFailureThreshold = RolloutFailureThreshold(kind: .count, value: 1)

    /// Source CI keys: what is rolled out. Absent: the release's affected CIs of class
    /// `software` or `application`.
    public var sources: [String]?
    /// Which CIs receive it.
    public var targets: RolloutTargetSelection
    /// Target CIs in a first canary wave, spread over the sites. Absent: no canary wave.
    public var canary: Int?
    /// Sites in the order their waves run; sites not named follow, alphabetically.
    public var siteOrder: [String]?
    /// Deploy jobs (source → target rollouts) running at once in each wave. Absent: ``defaultWindow``.
    public var window: Int?
    /// Failed rollouts that halt the rollout. Absent: ``defaultFailureThreshold``.
    public var failureThreshold: RolloutFailureThreshold?
    /// What happens between one wave and the next. Absent: nothing (`none`).
    public var betweenWaves: RolloutWaveGate?
    /// What a halt backs out. Absent: `current_wave`.
    public var backoutScope: RolloutBackoutScope?

    public init(
        sources: [String]? = nil, targets: RolloutTargetSelection, canary: Int? = nil, siteOrder: [String]? = nil,
        window: Int? = nil, failureThreshold: RolloutFailureThreshold? = nil, betweenWaves: RolloutWaveGate? = nil,
        backoutScope: RolloutBackoutScope? = nil
    ) {
        self.sources = sources
        self.targets = targets
        self.canary = canary
        self.siteOrder = siteOrder
        self.window = window
        self.failureThreshold = failureThreshold
        self.betweenWaves = betweenWaves
        self.backoutScope = backoutScope
    }
}

/// Which CIs are targets: every criterion given must hold (sites, classes and keys: any one
/// listed; tags: all of them). At least one criterion is required.
public struct RolloutTargetSelection: Codable, Sendable, Equatable {
    /// Target CIs named one by one.
    public var keys: [String]?
    /// Sites the targets are at.
    public var sites: [String]?
    /// Classes the targets are of, e.g. `server`.
    public var classes: [CIClass]?
    /// CI attributes that must all match, name → value (e.g. `env` → `prod`).
    public var tags: [String: String]?
    /// CIs related to given anchors, e.g. everything that `runs_on` these servers.
    public var related: RolloutRelationSelection?

    public init(
        keys: [String]? = nil, sites: [String]? = nil, classes: [CIClass]? = nil, tags: [String: String]? = nil,
        related: RolloutRelationSelection? = nil
    ) {
        self.keys = keys
        self.sites = sites
        self.classes = classes
        self.tags = tags
        self.related = related
    }
}

/// CIs at one end of a relationship whose other end is an anchor.
public struct RolloutRelationSelection: Codable, Sendable, Equatable {
    public var kind: CIRelationshipKind
    /// `incoming`: the CIs that <kind> an anchor; `outgoing`: the CIs an anchor <kind>.
    public var direction: RolloutRelationDirection
    /// The CI keys at the other end.
    public var anchors: [String]

    public init(kind: CIRelationshipKind, direction: RolloutRelationDirection, anchors: [String]) {
        self.kind = kind
        self.direction = direction
        self.anchors = anchors
    }
}

/// Failed rollouts that halt the rollout: a count, or a percentage of the plan's rollouts
/// (the plan states the count it comes to, `RolloutPlan.haltAfterFailures`).
public struct RolloutFailureThreshold: Codable, Sendable, Equatable {
    public var kind: RolloutThresholdKind
    /// A count of 1 or more, or a percentage from 1 to 100.
    public var value: Int

    public init(kind: RolloutThresholdKind, value: Int) {
        self.kind = kind
        self.value = value
    }

    public static func count(_ value: Int) -> Self { Self(kind: .count, value: value) }
    public static func percent(_ value: Int) -> Self { Self(kind: .percent, value: value) }
}

/// What happens between one wave and the next.
public struct RolloutWaveGate: Codable, Sendable, Equatable {
    /// The longest pause or soak time: 7 days.
    public static let maxSeconds = 7 * 24 * 3600

    public var kind: RolloutGateKind
    /// For `pause` and `soak`: how long, 1 to ``maxSeconds``; absent for the others.
    public var seconds: Int?

    public init(kind: RolloutGateKind, seconds: Int? = nil) {
        self.kind = kind
        self.seconds = seconds
    }

    /// The next wave opens at once (`none`).
    public static let immediate = Self(kind: .none)
    public static let approval = Self(kind: .approval)
    public static func pause(seconds: Int) -> Self { Self(kind: .pause, seconds: seconds) }
    public static func soak(seconds: Int) -> Self { Self(kind: .soak, seconds: seconds) }
}
