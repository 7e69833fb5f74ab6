// What planning asks the other services to do when a release is in a phase with an
// automated task, and what they answer with. Planning sends the commands through its outbox
// (no reply is awaited): when the service is not running, a command waits in the service's
// queue and the task shows as in progress, waiting on that service. The service's event
// finishes or fails the task.

/// One automated step: its wire names (the command and its answer) in one place.
public protocol AutomatedStepKind: Sendable {
    static var step: AutomatedStep { get }
    static var commandType: String { get }
    static var finishedType: String { get }
}

/// Build and package the release's software image (shipboard-build).
public enum BuildStepKind: AutomatedStepKind {
    public static let step = AutomatedStep.build
    public static let commandType = "build.build_image"
    public static let finishedType = "build.image_finished"
}

/// Test the image against the acceptance criteria (shipboard-testing).
public enum TestStepKind: AutomatedStepKind {
    public static let step = AutomatedStep.test
    public static let commandType = "testing.run_tests"
    public static let finishedType = "testing.tests_finished"
}

/// Plan the rollout from source CIs to target CIs by site (shipboard-rollout).
public enum RolloutPlanStepKind: AutomatedStepKind {
    public static let step = AutomatedStep.rolloutPlan
    public static let commandType = "rollout.plan_rollout"
    public static let finishedType = "rollout.plan_finished"
}

/// Deploy the release to its target CIs (shipboard-rollout).
public enum RolloutStartStepKind: AutomatedStepKind {
    public static let step = AutomatedStep.rolloutStart
    public static let commandType = "rollout.start_rollout"
    public static let finishedType = "rollout.rollout_finished"
}

/// The command for one step of one release: which task of its work plan it is for.
public struct StepCommand<Kind: AutomatedStepKind>: CommandContract, Equatable {
    public static var messageType: String { Kind.commandType }
    public typealias Result = Acknowledged

    public var releaseKey: String
    public var taskKey: String

    public init(releaseKey: String, taskKey: String) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
    }
}

/// A service's answer to a step command: the step succeeded or failed (with why).
public struct StepFinished<Kind: AutomatedStepKind>: EventContract, Equatable {
    public static var messageType: String { Kind.finishedType }

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

public typealias BuildImage = StepCommand<BuildStepKind>
public typealias RunTests = StepCommand<TestStepKind>
public typealias PlanRollout = StepCommand<RolloutPlanStepKind>
public typealias StartRollout = StepCommand<RolloutStartStepKind>
public typealias ImageBuildFinished = StepFinished<BuildStepKind>
public typealias TestsFinished = StepFinished<TestStepKind>
public typealias RolloutPlanFinished = StepFinished<RolloutPlanStepKind>
public typealias RolloutFinished = StepFinished<RolloutStartStepKind>
