// What planning asks the other services to do when a release enters a phase with an
// automated task, and what they answer with. Planning sends the commands through its outbox
// (no reply is awaited): when the service is not running, a command waits in the service's
// queue and the task shows as in progress, waiting on that service. The service's event
// finishes or fails the task.

/// The fields every step command carries: which release, which task of its work plan.
public protocol StepCommand: CommandContract where Result == Acknowledged {
    static var step: AutomatedStep { get }
    var releaseKey: String { get }
    var taskKey: String { get }
    init(releaseKey: String, taskKey: String)
}

/// `build.build_image`: build and package the release's software image (shipboard-build).
public struct BuildImage: StepCommand, Equatable {
    public static let messageType = "build.build_image"
    public static let step = AutomatedStep.build
    public typealias Result = Acknowledged
    public var releaseKey: String
    public var taskKey: String
    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// `testing.run_tests`: test the release's image against its acceptance criteria (shipboard-testing).
public struct RunTests: StepCommand, Equatable {
    public static let messageType = "testing.run_tests"
    public static let step = AutomatedStep.test
    public typealias Result = Acknowledged
    public var releaseKey: String
    public var taskKey: String
    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// `rollout.plan_rollout`: plan the rollout from source CIs to target CIs by site (shipboard-rollout).
public struct PlanRollout: StepCommand, Equatable {
    public static let messageType = "rollout.plan_rollout"
    public static let step = AutomatedStep.rolloutPlan
    public typealias Result = Acknowledged
    public var releaseKey: String
    public var taskKey: String
    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// `rollout.start_rollout`: deploy the release to its target CIs (shipboard-rollout).
public struct StartRollout: StepCommand, Equatable {
    public static let messageType = "rollout.start_rollout"
    public static let step = AutomatedStep.rolloutStart
    public typealias Result = Acknowledged
    public var releaseKey: String
    public var taskKey: String
    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// A service's answer to a step command: the step succeeded or failed (with why).
public protocol StepFinished: EventContract {
    var releaseKey: String { get }
    var taskKey: String { get }
    var succeeded: Bool { get }
    var detail: String? { get }
}

/// `build.image_finished`: shipboard-build built the image, or could not.
public struct ImageBuildFinished: StepFinished, Equatable {
    public static let messageType = "build.image_finished"
    public var releaseKey: String
    public var taskKey: String
    public var succeeded: Bool
    public var detail: String?
    public init(releaseKey: String, taskKey: String, succeeded: Bool, detail: String? = nil) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.succeeded = succeeded
        self.detail = detail
    }
}

/// `testing.tests_finished`: shipboard-testing ran the tests; they passed or failed.
public struct TestsFinished: StepFinished, Equatable {
    public static let messageType = "testing.tests_finished"
    public var releaseKey: String
    public var taskKey: String
    public var succeeded: Bool
    public var detail: String?
    public init(releaseKey: String, taskKey: String, succeeded: Bool, detail: String? = nil) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.succeeded = succeeded
        self.detail = detail
    }
}

/// `rollout.plan_finished`: shipboard-rollout planned the rollout, or could not.
public struct RolloutPlanFinished: StepFinished, Equatable {
    public static let messageType = "rollout.plan_finished"
    public var releaseKey: String
    public var taskKey: String
    public var succeeded: Bool
    public var detail: String?
    public init(releaseKey: String, taskKey: String, succeeded: Bool, detail: String? = nil) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.succeeded = succeeded
        self.detail = detail
    }
}

/// `rollout.rollout_finished`: shipboard-rollout deployed to every target, or stopped.
public struct RolloutFinished: StepFinished, Equatable {
    public static let messageType = "rollout.rollout_finished"
    public var releaseKey: String
    public var taskKey: String
    public var succeeded: Bool
    public var detail: String?
    public init(releaseKey: String, taskKey: String, succeeded: Bool, detail: String? = nil) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.succeeded = succeeded
        self.detail = detail
    }
}
