// Planning a rollout on a person's request (the gateway's rollout-plan route, `shipboard
// rollout plan`). Planning's own automated step is `rollout.plan_rollout` (PlanRollout in
// Orchestration/StepCommands.swift); this is the request/reply a person uses to shape the
// plan and, with `dryRun`, to see it without creating it.

/// `rollout.request_plan`: plans the release's rollout from `definition` and answers with the
/// plan, or a refusal naming the rule broken (`rollout.*`). With `dryRun` nothing is stored.
public struct RequestRolloutPlan: CommandContract, Equatable {
    public static let messageType = "rollout.request_plan"
    public typealias Result = RolloutPlanned

    public var releaseKey: String
    public var definition: RolloutDefinition
    /// Answer with the plan and store nothing (no tasks in the work plan).
    public var dryRun: Bool?

    public init(releaseKey: String, definition: RolloutDefinition, dryRun: Bool? = nil) {
        self.releaseKey = releaseKey
        self.definition = definition
        self.dryRun = dryRun
    }
}

/// The reply to `rollout.request_plan`.
public struct RolloutPlanned: Codable, Sendable, Equatable {
    public var releaseKey: String
    /// True when nothing was stored: the plan is what would be created.
    public var dryRun: Bool
    public var plan: RolloutPlan

    public init(releaseKey: String, dryRun: Bool, plan: RolloutPlan) {
        self.releaseKey = releaseKey
        self.dryRun = dryRun
        self.plan = plan
    }
}
