import Contracts

/// One task of a job plan (the template): what is done, in which phase, by whom, how long
/// it is expected to take and what must be finished before it.
public struct JobPlanTask: Sendable, Equatable, Codable {
    /// Unique within the plan; work plan tasks keep it, so predecessors stay readable.
    public var key: String
    public var title: String
    /// The group of tasks it belongs to in the plan's outline (e.g. `design`, `build`).
    public var group: String
    public var phase: ReleasePhase
    public var owner: TaskOwner
    public var estimateMinutes: Int
    public var predecessors: [String]
    public var kind: TaskKind
    /// The service command, for `automated` tasks only.
    public var step: AutomatedStep?

    public init(
        key: String, title: String, group: String, phase: ReleasePhase, owner: TaskOwner, estimateMinutes: Int,
        predecessors: [String] = [], kind: TaskKind = .manual, step: AutomatedStep? = nil
    ) {
        self.key = key
        self.title = title
        self.group = group
        self.phase = phase
        self.owner = owner
        self.estimateMinutes = estimateMinutes
        self.predecessors = predecessors
        self.kind = kind
        self.step = step
    }
}

/// The field rules every task obeys, in a job plan or in a release's work plan.
enum TaskFieldRules {
    /// A year of working minutes is more than any task should be estimated at.
    static let maximumEstimateMinutes = 525_600

    static func validate(
        key: String, title: String, group: String, phase: ReleasePhase, owner: TaskOwner, estimateMinutes: Int,
        kind: TaskKind, step: AutomatedStep?, field prefix: String
    ) throws(CommandError) {
        try ConfigurationNames.require(key, field: "\(prefix)key")
        try ConfigurationNames.require(group, field: "\(prefix)group")
        try requireTitle(title, field: "\(prefix)title")
        guard phase.isKnown else {
            throw CommandError(.validation, "unknown phase \(phase.rawValue)", rule: "tasks.phase", fields: ["\(prefix)phase": "unknown"])
        }
        try owner.validate(field: "\(prefix)owner")
        try requireEstimate(estimateMinutes, field: "\(prefix)estimateMinutes")
        guard kind.isKnown else {
            throw CommandError(.validation, "unknown task kind \(kind.rawValue)", rule: "tasks.kind", fields: ["\(prefix)kind": "unknown"])
        }
        // Rollout tasks come from shipboard-rollout's plan, one per target it reports on; one
        // written by hand would wait for events that never come (and cannot be moved by hand).
        guard kind != .rollout else {
            throw CommandError(.validation, "rollout tasks are made by planning a rollout, not written into a plan",
                               rule: "tasks.kind", fields: ["\(prefix)kind": "rollout is planned by shipboard-rollout"])
        }
        switch (kind, step) {
        case (.automated, .some(let step)) where step.isKnown: break
        case (.automated, _):
            throw CommandError(.validation, "an automated task names its step (build, test, rollout_plan or rollout_start)",
                               rule: "tasks.step", fields: ["\(prefix)step": "required for automated tasks"])
        case (_, .some):
            throw CommandError(.validation, "only automated tasks have a step", rule: "tasks.step",
                               fields: ["\(prefix)step": "only for automated tasks"])
        case (_, .none): break
        }
    }

    static func requireTitle(_ title: String, field: String) throws(CommandError) {
        let trimmed = title.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, title.count <= 200,
              !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CommandError(.validation, "\(field) must be 1 to 200 characters without control characters",
                               rule: "tasks.title", fields: [field: "invalid"])
        }
    }

    static func requireEstimate(_ minutes: Int, field: String) throws(CommandError) {
        guard (0...maximumEstimateMinutes).contains(minutes) else {
            throw CommandError(.validation, "\(field) must be 0 to \(maximumEstimateMinutes) minutes",
                               rule: "tasks.estimate", fields: [field: "out of range"])
        }
    }

    /// Refuses predecessors that are unknown, repeated or the task itself.
    static func requirePredecessors(_ predecessors: [String], of key: String, among keys: Set<String>, field: String) throws(CommandError) {
        guard Set(predecessors).count == predecessors.count else {
            throw CommandError(.validation, "\(key) names a predecessor twice", rule: "tasks.predecessors", fields: [field: "repeated"])
        }
        if predecessors.contains(key) {
            throw CommandError(.validation, "\(key) cannot follow itself", rule: "tasks.cycle", fields: [field: "\(key) → \(key)"])
        }
        if let unknown = predecessors.first(where: { !keys.contains($0) }) {
            throw CommandError(.validation, "\(key) follows \(unknown), which is not in the plan",
                               rule: "tasks.predecessors", fields: [field: "unknown task \(unknown)"])
        }
    }

    /// Refuses predecessor edges that form a cycle, naming one: `a → b → c → a`.
    static func requireAcyclic(_ predecessors: [String: [String]], field: String) throws(CommandError) {
        guard let cycle = CycleFinder(edges: predecessors).cycles().first, let first = cycle.first else { return }
        let path = (cycle + [first]).joined(separator: " → ")
        throw CommandError(.validation, "the predecessors form a cycle: \(path)", rule: "tasks.cycle", fields: [field: path])
    }
}
