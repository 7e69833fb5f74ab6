/// Where a task of a release's work plan stands. A task is `ready` only when every
/// predecessor is `done` or `skipped`; `done`, `skipped` and `cancelled` are final.
public enum TaskState: ContractEnum {
    case waiting, ready, inProgress, done, failed, skipped, cancelled
    case unknown(String)

    public static let allCases: [TaskState] = [.waiting, .ready, .inProgress, .done, .failed, .skipped, .cancelled]

    public var rawValue: String {
        switch self {
        case .waiting: "waiting"
        case .ready: "ready"
        case .inProgress: "in_progress"
        case .done: "done"
        case .failed: "failed"
        case .skipped: "skipped"
        case .cancelled: "cancelled"
        case .unknown(let rawValue): rawValue
        }
    }

    /// Counts as finished for the tasks that follow it.
    public var releasesSuccessors: Bool { self == .done || self == .skipped }

    /// Nothing more happens to it.
    public var isFinal: Bool { self == .done || self == .skipped || self == .cancelled }
}

/// What kind of work a task is: done by people (`manual`), a decision (`approval`), a
/// command another Shipboard service carries out (`automated`), or part of the rollout.
public enum TaskKind: ContractEnum {
    case manual, approval, automated, rollout
    case unknown(String)

    public static let allCases: [TaskKind] = [.manual, .approval, .automated, .rollout]

    public var rawValue: String {
        switch self {
        case .manual: "manual"
        case .approval: "approval"
        case .automated: "automated"
        case .rollout: "rollout"
        case .unknown(let rawValue): rawValue
        }
    }
}

/// The service command an automated task stands for; its events complete or fail the task.
public enum AutomatedStep: ContractEnum {
    case build, test, rolloutPlan, rolloutStart
    case unknown(String)

    public static let allCases: [AutomatedStep] = [.build, .test, .rolloutPlan, .rolloutStart]

    public var rawValue: String {
        switch self {
        case .build: "build"
        case .test: "test"
        case .rolloutPlan: "rollout_plan"
        case .rolloutStart: "rollout_start"
        case .unknown(let rawValue): rawValue
        }
    }
}
