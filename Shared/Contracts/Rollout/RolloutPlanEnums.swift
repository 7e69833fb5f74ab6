// The closed lists a rollout definition and its plan carry on the wire. Each is a
// ContractEnum: a name this version does not know decodes to `.unknown` and the planner
// refuses it as a field problem instead of dead-lettering the request.

/// What happens between a wave and the next.
public enum RolloutGateKind: ContractEnum {
    /// The next wave opens as soon as this one completes.
    case none
    /// The next wave opens `seconds` after this one completed.
    case pause
    /// A person approves the next wave.
    case approval
    /// The wave's targets run `seconds` before the next wave opens (a wait named for why).
    case soak
    case unknown(String)

    public static let allCases: [RolloutGateKind] = [.none, .pause, .approval, .soak]

    public var rawValue: String {
        switch self {
        case .none: "none"
        case .pause: "pause"
        case .approval: "approval"
        case .soak: "soak"
        case .unknown(let rawValue): rawValue
        }
    }

    /// True for the kinds that wait a duration (and so need `seconds`).
    public var isTimed: Bool { self == .pause || self == .soak }
}

/// Which succeeded targets a halt backs out.
public enum RolloutBackoutScope: ContractEnum {
    /// Those of the wave that was running.
    case currentWave
    /// Every one, in every wave.
    case all
    case unknown(String)

    public static let allCases: [RolloutBackoutScope] = [.currentWave, .all]

    public var rawValue: String {
        switch self {
        case .currentWave: "current_wave"
        case .all: "all"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// How a failure threshold is counted.
public enum RolloutThresholdKind: ContractEnum {
    /// A number of failed rollouts.
    case count
    /// A percentage of the plan's rollouts.
    case percent
    case unknown(String)

    public static let allCases: [RolloutThresholdKind] = [.count, .percent]

    public var rawValue: String {
        switch self {
        case .count: "count"
        case .percent: "percent"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// Which end of a relationship a target selection picks, reading "source <kind> target".
public enum RolloutRelationDirection: ContractEnum {
    /// The CIs that have the relationship to an anchor: "everything that `runs_on` these servers".
    case incoming
    /// The CIs an anchor has the relationship to: "the servers these CIs `run_on`".
    case outgoing
    case unknown(String)

    public static let allCases: [RolloutRelationDirection] = [.incoming, .outgoing]

    public var rawValue: String {
        switch self {
        case .incoming: "incoming"
        case .outgoing: "outgoing"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// Why a wave exists.
public enum PlannedWaveKind: ContractEnum {
    /// The first wave: a few targets spread over the sites, to find problems early.
    case canary
    /// One site's targets (and the targets they depend on that no earlier wave holds).
    case site
    case unknown(String)

    public static let allCases: [PlannedWaveKind] = [.canary, .site]

    public var rawValue: String {
        switch self {
        case .canary: "canary"
        case .site: "site"
        case .unknown(let rawValue): rawValue
        }
    }
}
