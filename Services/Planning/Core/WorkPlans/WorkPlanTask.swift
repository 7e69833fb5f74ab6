import Contracts
import Foundation

/// A task of one release's work plan: a copy of a job plan task (or one added to the
/// release), with who does it and where it stands.
public struct WorkPlanTask: Sendable, Equatable, Codable {
    public var key: String
    public var title: String
    public var group: String
    public var phase: ReleasePhase
    public var owner: TaskOwner
    /// The person doing it: the owner when a person owns it, a member chosen by the
    /// group's assignment policy otherwise (nil until chosen).
    public var assignee: String?
    public var estimateMinutes: Int
    public var predecessors: [String]
    public var kind: TaskKind
    public var step: AutomatedStep?
    public var state: TaskState
    /// Why it was skipped or failed.
    public var reason: String?
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(copying task: JobPlanTask) {
        key = task.key
        title = task.title
        group = task.group
        phase = task.phase
        owner = task.owner
        if case .person(let person) = task.owner { assignee = person }
        estimateMinutes = task.estimateMinutes
        predecessors = task.predecessors
        kind = task.kind
        step = task.step
        state = .waiting
    }
}
