// Commands that store job plans, apply one to a release and work its tasks, and their
// events. Owners and actions travel as text so that a wrong value is answered with a
// validation error naming it, not dead-lettered as undecodable.
import Foundation

/// A task of a job plan as a sender describes it.
public struct JobPlanTaskInput: Codable, Sendable, Equatable {
    public var key: String
    public var title: String
    /// The outline group it belongs to, e.g. `design`.
    public var group: String
    public var phase: ReleasePhase
    /// `person:NAME` or `group:NAME`.
    public var owner: String
    public var estimateMinutes: Int
    public var predecessors: [String]
    public var kind: TaskKind
    /// For automated tasks: `build`, `test`, `rollout_plan` or `rollout_start`.
    public var step: AutomatedStep?

    public init(
        key: String, title: String, group: String, phase: ReleasePhase, owner: String, estimateMinutes: Int,
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

/// `planning.save_job_plan`: stores a new version of the job plan `name` (version 1 when new).
/// Versions already stored, and work plans applied from them, never change.
public struct SaveJobPlan: CommandContract, Equatable {
    public static let messageType = "planning.save_job_plan"
    public typealias Result = JobPlanSaved

    public var name: String
    public var description: String
    public var tasks: [JobPlanTaskInput]

    public init(name: String, description: String = "", tasks: [JobPlanTaskInput]) {
        self.name = name
        self.description = description
        self.tasks = tasks
    }
}

public struct JobPlanSaved: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var taskCount: Int

    public init(name: String, version: Int, taskCount: Int) {
        self.name = name
        self.version = version
        self.taskCount = taskCount
    }
}

/// `planning.apply_job_plan`: copies the latest version of a job plan into the release as its
/// work plan: the one named, else the release's job plan, else the default
/// (`standard-release`). A release has one work plan; applying again is refused.
public struct ApplyJobPlan: CommandContract, Equatable {
    public static let messageType = "planning.apply_job_plan"
    public typealias Result = WorkPlanApplied

    public var releaseKey: String
    public var jobPlanName: String?

    public init(releaseKey: String, jobPlanName: String? = nil) {
        self.releaseKey = releaseKey
        self.jobPlanName = jobPlanName
    }
}

public struct WorkPlanApplied: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var jobPlanName: String
    public var jobPlanVersion: Int
    public var taskCount: Int
    /// Tasks that can start now (no predecessors).
    public var ready: [String]

    public init(releaseKey: String, jobPlanName: String, jobPlanVersion: Int, taskCount: Int, ready: [String]) {
        self.releaseKey = releaseKey
        self.jobPlanName = jobPlanName
        self.jobPlanVersion = jobPlanVersion
        self.taskCount = taskCount
        self.ready = ready
    }
}

/// `planning.act_on_task`: starts, finishes, fails or skips a task of the release's work
/// plan (`action`: `start`, `finish`, `fail`, `skip`; fail and skip need a `reason`).
///
/// `asReleaseManager` says the actor holds the release manager role: the gateway sets it from
/// the authenticated user's roles, never from what a client sends (senders on the broker are
/// trusted services, as with `actor`). The release's coordinator counts as its manager.
public struct ActOnTask: CommandContract, Equatable {
    public static let messageType = "planning.act_on_task"
    public typealias Result = TaskActed

    public var releaseKey: String
    public var taskKey: String
    public var action: String
    public var reason: String?
    public var asReleaseManager: Bool

    public init(releaseKey: String, taskKey: String, action: String, reason: String? = nil, asReleaseManager: Bool = false) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.action = action
        self.reason = reason
        self.asReleaseManager = asReleaseManager
    }
}

public struct TaskActed: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var taskKey: String
    public var state: TaskState
    /// Tasks this made ready.
    public var nowReady: [String]

    public init(releaseKey: String, taskKey: String, state: TaskState, nowReady: [String]) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.state = state
        self.nowReady = nowReady
    }
}

/// `release.work_plan_applied`: the release has a work plan, copied from a job plan version.
public struct WorkPlanAppliedEvent: EventContract, Equatable {
    public static let messageType = "release.work_plan_applied"
    public var releaseKey: String
    public var actor: String
    public var jobPlanName: String
    public var jobPlanVersion: Int
    public var taskCount: Int

    public init(releaseKey: String, actor: String, jobPlanName: String, jobPlanVersion: Int, taskCount: Int) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.jobPlanName = jobPlanName
        self.jobPlanVersion = jobPlanVersion
        self.taskCount = taskCount
    }
}

/// `release.task_changed`: a task of the release's work plan moved from one state to another.
public struct TaskChanged: EventContract, Equatable {
    public static let messageType = "release.task_changed"
    public var releaseKey: String
    public var actor: String
    public var taskKey: String
    public var from: TaskState
    public var to: TaskState
    public var reason: String?
    public var nowReady: [String]
    /// Tasks of `nowReady` given to a member of their owning group by its policy: task → member.
    public var assigned: [String: String]?

    public init(
        releaseKey: String, actor: String, taskKey: String, from: TaskState, to: TaskState, reason: String?, nowReady: [String],
        assigned: [String: String]? = nil
    ) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.taskKey = taskKey
        self.from = from
        self.to = to
        self.reason = reason
        self.nowReady = nowReady
        self.assigned = assigned
    }
}

/// `planning.add_work_plan_task`: adds a task to the release's work plan (at `position`, else last).
public struct AddWorkPlanTask: CommandContract, Equatable {
    public static let messageType = "planning.add_work_plan_task"
    public typealias Result = WorkPlanEdited

    public var releaseKey: String
    public var task: JobPlanTaskInput
    public var position: Int?

    public init(releaseKey: String, task: JobPlanTaskInput, position: Int? = nil) {
        self.releaseKey = releaseKey
        self.task = task
        self.position = position
    }
}

/// `planning.edit_work_plan_task`: changes one task of the release's work plan — removes it
/// (only if nobody worked on it), or moves, reassigns, re-links or re-estimates it (the
/// fields given, in that order, all or nothing).
public struct EditWorkPlanTask: CommandContract, Equatable {
    public static let messageType = "planning.edit_work_plan_task"
    public typealias Result = WorkPlanEdited

    public var releaseKey: String
    public var taskKey: String
    public var remove: Bool
    public var position: Int?
    /// `person:NAME` or `group:NAME`.
    public var owner: String?
    public var assignee: String?
    public var predecessors: [String]?
    public var estimateMinutes: Int?

    public init(
        releaseKey: String, taskKey: String, remove: Bool = false, position: Int? = nil, owner: String? = nil,
        assignee: String? = nil, predecessors: [String]? = nil, estimateMinutes: Int? = nil
    ) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.remove = remove
        self.position = position
        self.owner = owner
        self.assignee = assignee
        self.predecessors = predecessors
        self.estimateMinutes = estimateMinutes
    }
}

public struct WorkPlanEdited: Codable, Sendable, Equatable {
    public var releaseKey: String
    public var taskKey: String
    public var taskCount: Int
    /// Tasks ready after the edit.
    public var ready: [String]

    public init(releaseKey: String, taskKey: String, taskCount: Int, ready: [String]) {
        self.releaseKey = releaseKey
        self.taskKey = taskKey
        self.taskCount = taskCount
        self.ready = ready
    }
}

/// `release.work_plan_edited`: a task was added, removed or changed by hand.
public struct WorkPlanEditedEvent: EventContract, Equatable {
    public static let messageType = "release.work_plan_edited"
    public var releaseKey: String
    public var actor: String
    public var taskKey: String
    /// What changed: `added`, `removed`, or the fields changed, comma-separated.
    public var change: String

    public init(releaseKey: String, actor: String, taskKey: String, change: String) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.taskKey = taskKey
        self.change = change
    }
}

/// `planning.set_auto_advance`: whether the release leaves each phase by itself as soon as
/// its exit criteria and gate allow (checked when a task finishes and when its gate opens).
public struct SetAutoAdvance: CommandContract, Equatable {
    public static let messageType = "planning.set_auto_advance"
    public typealias Result = ReleaseSummary

    public var releaseKey: String
    public var enabled: Bool

    public init(releaseKey: String, enabled: Bool) {
        self.releaseKey = releaseKey
        self.enabled = enabled
    }
}

/// `release.auto_advance_set`: the release's auto-advance setting changed.
public struct AutoAdvanceSet: EventContract, Equatable {
    public static let messageType = "release.auto_advance_set"
    public var releaseKey: String
    public var actor: String
    public var enabled: Bool

    public init(releaseKey: String, actor: String, enabled: Bool) {
        self.releaseKey = releaseKey
        self.actor = actor
        self.enabled = enabled
    }
}
