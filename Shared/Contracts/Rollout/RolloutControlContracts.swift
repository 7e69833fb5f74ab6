// What people do to a planned or running rollout through the gateway (`shipboard rollout
// start|pause|resume|abort|retry|skip|exclude|approve`), and the deploy job one replica
// sends another. The rules are shipboard-rollout's (RolloutControl).

/// `rollout.request_start`: start the release's planned rollout now. Refused unless the
/// release is in its `deploy` phase and in progress, outside every freeze window.
public struct RequestRolloutStart: CommandContract, Equatable {
    public static let messageType = "rollout.request_start"
    public typealias Result = RolloutControlled

    public var releaseKey: String

    public init(releaseKey: String) {
        self.releaseKey = releaseKey
    }
}

/// What a person does to a rollout or some of its targets.
public enum RolloutControlAction: ContractEnum {
    case pause, resume, abort, retry, skip, exclude
    /// Open the next wave when the gate after the current one is an approval.
    case approveWave
    case unknown(String)

    public static let allCases: [RolloutControlAction] = [.pause, .resume, .abort, .retry, .skip, .exclude, .approveWave]

    public var rawValue: String {
        switch self {
        case .pause: "pause"
        case .resume: "resume"
        case .abort: "abort"
        case .retry: "retry"
        case .skip: "skip"
        case .exclude: "exclude"
        case .approveWave: "approve_wave"
        case .unknown(let rawValue): rawValue
        }
    }

    /// Acts on named targets (and needs at least one).
    public var needsTargets: Bool { self == .retry || self == .skip || self == .exclude }
}

/// `rollout.control`: one action on the release's current rollout.
public struct ControlRollout: CommandContract, Equatable {
    public static let messageType = "rollout.control"
    public typealias Result = RolloutControlled

    public var releaseKey: String
    public var action: RolloutControlAction
    /// For retry, skip and exclude: task keys (`rollout-<source>-<target>`) or target CI
    /// keys (every rollout to that CI); at most 1,000.
    public var targets: [String]?
    /// Required for abort, skip and exclude; recorded with the change.
    public var reason: String?

    public init(releaseKey: String, action: RolloutControlAction, targets: [String]? = nil, reason: String? = nil) {
        self.releaseKey = releaseKey
        self.action = action
        self.targets = targets
        self.reason = reason
    }
}

/// The answer to a control command: the rollout's state after it and the tasks it changed.
public struct RolloutControlled: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var rolloutId: String
    public var state: RolloutState
    public var changedTargets: [String]

    public init(releaseKey: String, rolloutId: String, state: RolloutState, changedTargets: [String] = []) {
        self.releaseKey = releaseKey
        self.rolloutId = rolloutId
        self.state = state
        self.changedTargets = changedTargets
    }
}

/// What a deploy job does to its target.
public enum DeployJobAction: ContractEnum {
    case deploy, backout
    case unknown(String)

    public static let allCases: [DeployJobAction] = [.deploy, .backout]

    public var rawValue: String {
        switch self {
        case .deploy: "deploy"
        case .backout: "backout"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// `rollout.deploy`: one target's deploy (or backout) job, sent by a coordinating replica
/// to the queue of the worker pool serving the target's site (`rollout.deploy.<pool>`), with
/// routing key `deploy.<pool>` (not `rollout.…`, which `rollout.commands` is bound to). The job names the attempt it starts; the target's row says
/// whether it is still wanted, so a repeated or late job does nothing.
public struct DeployJob: CommandContract, Equatable {
    public static let messageType = "rollout.deploy"
    public typealias Result = Acknowledged

    public var rolloutId: String
    public var taskKey: String
    public var action: DeployJobAction
    /// The attempt this job is for: the target's attempt counter when it was dispatched.
    public var attempt: Int

    public init(rolloutId: String, taskKey: String, action: DeployJobAction, attempt: Int) {
        self.rolloutId = rolloutId
        self.taskKey = taskKey
        self.action = action
        self.attempt = attempt
    }

    /// The routing key of the jobs for `pool`.
    public static func routingKey(pool: String) -> String { "deploy.\(pool)" }
}
