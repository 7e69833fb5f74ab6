import Contracts

/// The job plan every installation starts with: the whole release process, from the
/// release's structure to the post-implementation review, in the order the work depends
/// on. Groups own the work (release-managers, build-engineers, testers, rollout-operators,
/// communications); the four service steps are automated tasks.
public enum DefaultJobPlan {
    public static let name = "standard-release"

    public static var plan: JobPlan {
        JobPlan(name: name, version: 1, description: "The full release process: design, build, test, DML, rollout, review.", tasks: tasks)
    }

    static let managers = TaskOwner.group("release-managers")
    static let builders = TaskOwner.group("build-engineers")
    static let testers = TaskOwner.group("testers")
    static let operators = TaskOwner.group("rollout-operators")
    static let communications = TaskOwner.group("communications")

    static let tasks: [JobPlanTask] = [
        // initiate
        task("structure", "Define the release structure and add its approved changes", "scope", .initiate, managers, 120),
        task("ci-relationships", "Confirm the CIs the changes touch and their relationships", "scope", .initiate, managers, 90, after: ["structure"]),
        // plan: the design of the software image and the plans that go with it
        task("image-design", "Design the software image (packages, contents, versions)", "design", .plan, builders, 240, after: ["ci-relationships"]),
        task("install-scripts", "Write the install scripts", "design", .plan, builders, 240, after: ["image-design"]),
        task("backout", "Write and review the backout procedure", "design", .plan, builders, 180, after: ["image-design"]),
        task("communication-plan", "Write the communication plan", "plans", .plan, communications, 120, after: ["structure"]),
        task("education-plan", "Write the education plan", "plans", .plan, communications, 120, after: ["structure"]),
        // build
        task("build", "Build and package the software image", "build", .build, builders, 60,
             after: ["install-scripts", "backout"], kind: .automated, step: .build),
        // test
        task("test", "Test the image against the acceptance criteria", "test", .test, testers, 480,
             after: ["build"], kind: .automated, step: .test),
        task("dml-acceptance", "Accept the tested image into the DML", "test", .test, managers, 30, after: ["test"], kind: .approval),
        // rollout plan
        task("rollout-plan", "Plan the rollout from source CIs to target CIs by site", "rollout", .rolloutPlan, operators, 120,
             after: ["dml-acceptance"], kind: .automated, step: .rolloutPlan),
        task("stakeholder-briefing", "Brief the stakeholders on the release and its rollout", "communication", .rolloutPlan,
             communications, 60, after: ["rollout-plan", "communication-plan"]),
        // prepare
        task("site-preparation", "Prepare every target site (access, capacity, local contacts)", "rollout", .prepare, operators, 240,
             after: ["rollout-plan"]),
        task("user-education", "Educate the users as the education plan says", "communication", .prepare, communications, 180,
             after: ["education-plan", "stakeholder-briefing"]),
        // deploy
        task("deployment", "Deploy to the target CIs", "rollout", .deploy, operators, 240,
             after: ["site-preparation", "user-education"], kind: .automated, step: .rolloutStart),
        task("verification", "Verify the deployment at every site", "rollout", .deploy, operators, 120, after: ["deployment"]),
        // review
        task("review", "Hold the post-implementation review", "review", .review, managers, 90, after: ["verification"]),
    ]

    private static func task(
        _ key: String, _ title: String, _ group: String, _ phase: ReleasePhase, _ owner: TaskOwner, _ minutes: Int,
        after predecessors: [String] = [], kind: TaskKind = .manual, step: AutomatedStep? = nil
    ) -> JobPlanTask {
        JobPlanTask(key: key, title: title, group: group, phase: phase, owner: owner, estimateMinutes: minutes,
                    predecessors: predecessors, kind: kind, step: step)
    }
}
