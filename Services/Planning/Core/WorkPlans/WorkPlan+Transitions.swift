import Contracts
import Foundation

/// What someone (or a service) does to a task.
public enum TaskAction: Sendable, Equatable {
    case start
    case finish
    case fail(reason: String)
    case skip(reason: String)

    /// Why (for fail and skip).
    public var reason: String? {
        switch self {
        case .fail(let reason), .skip(let reason): reason
        case .start, .finish: nil
        }
    }

    var isSkip: Bool {
        if case .skip = self { return true }
        return false
    }

    var verb: String {
        switch self {
        case .start: "start"
        case .finish: "finish"
        case .fail: "fail"
        case .skip: "skip"
        }
    }
}

/// Who acts on a task: a person with the approver groups they belong to and whether they
/// are a release manager, or a Shipboard service reporting on an automated task.
public struct TaskActor: Sendable, Equatable {
    public let name: String
    public let groups: Set<String>
    public let isReleaseManager: Bool
    public let isService: Bool

    public static func person(_ name: String, groups: Set<String>, isReleaseManager: Bool) -> TaskActor {
        TaskActor(name: name, groups: groups, isReleaseManager: isReleaseManager, isService: false)
    }

    public static func service(_ name: String) -> TaskActor {
        TaskActor(name: name, groups: [], isReleaseManager: false, isService: true)
    }

    /// Whether `name` counts as the release's manager for its tasks: they hold the release
    /// manager role (`asReleaseManager`, from the gateway) or coordinate this release.
    public static func managesRelease(_ name: String, asReleaseManager: Bool, coordinator: String) -> Bool {
        asReleaseManager || PersonID.normalized(coordinator) == PersonID.normalized(name)
    }

    /// Only the assignee, a member of the owning group, or a release manager works a task.
    func mayWork(on task: WorkPlanTask) -> Bool {
        if isReleaseManager { return true }
        if let assignee = task.assignee, PersonID.normalized(assignee) == PersonID.normalized(name) { return true }
        switch task.owner {
        case .person(let person): return PersonID.normalized(person) == PersonID.normalized(name)
        case .group(let group): return groups.contains(group)
        }
    }
}

/// What an action changed: the task's state before and after, and the tasks it made ready.
public struct TaskTransition: Sendable, Equatable {
    public let key: String
    public let from: TaskState
    public let to: TaskState
    public let nowReady: [String]
}

extension WorkPlan {
    /// Applies `action` to task `key` for `actor` at `now`, or refuses it with the rule it
    /// breaks: an unknown task, someone else's task, an automated task worked by hand (people
    /// may only skip it), a start before the predecessors are done, a repeated action.
    public mutating func perform(_ action: TaskAction, on key: String, by actor: TaskActor, at now: Date) throws(CommandError) -> TaskTransition {
        let position = try position(of: key)
        let task = tasks[position]
        if !actor.isService {
            guard actor.mayWork(on: task) else {
                throw CommandError(.forbidden, "only the assignee, the owning group or a release manager may \(action.verb) \(key)",
                                   rule: "tasks.not_assignee")
            }
            // The rollout service moves its tasks by its targets' events; a task moved here
            // would disagree with the target it stands for.
            if task.kind == .rollout {
                throw CommandError(.conflict, "\(key) follows its target in shipboard-rollout; use shipboard rollout retry, skip or exclude",
                                   rule: "tasks.rollout")
            }
            if task.kind == .automated, !action.isSkip {
                throw CommandError(.conflict, "\(key) is carried out by a Shipboard service; it can only be skipped by hand",
                                   rule: "tasks.automated")
            }
        }
        let next = try Self.nextState(of: task, blockers: blockers(of: task), action)
        if let reason = action.reason { try Self.requireReason(reason) }
        let readyBefore = Set(tasks.filter { $0.state == .ready }.map(\.key))
        update(at: position) { task in
            task.state = next
            switch action {
            case .start:
                task.startedAt = now
                task.finishedAt = nil
                task.reason = nil
                if task.assignee == nil, !actor.isService { task.assignee = actor.name }
            case .finish: task.finishedAt = now
            case .fail(let reason), .skip(let reason):
                task.reason = reason
                task.finishedAt = now
            }
        }
        refreshReadiness()
        let nowReady = tasks.filter { $0.state == .ready && !readyBefore.contains($0.key) && $0.key != key }.map(\.key)
        return TaskTransition(key: key, from: task.state, to: next, nowReady: nowReady)
    }

    /// Whether `actor` may do `action` to task `key` now: ``perform(_:on:by:at:)`` tried on a
    /// copy, so a caller that offers actions (the dashboard's buttons) offers exactly what
    /// planning would accept, by the same rule.
    public func allows(_ action: TaskAction, on key: String, by actor: TaskActor) -> Bool {
        var copy = self
        return (try? copy.perform(action, on: key, by: actor, at: Date())) != nil
    }

    /// The state `action` leads to from the task's state, or the refusal.
    static func nextState(of task: WorkPlanTask, blockers: [String], _ action: TaskAction) throws(CommandError) -> TaskState {
        switch (action, task.state) {
        case (.start, .ready), (.start, .failed): return .inProgress
        case (.start, .waiting):
            throw CommandError(.conflict, "\(task.key) waits for \(blockers.joined(separator: ", "))", rule: "tasks.not_ready",
                               fields: ["waitingFor": blockers.joined(separator: ",")])
        case (.finish, .inProgress): return .done
        case (.fail, .inProgress): return .failed
        case (.skip, .waiting), (.skip, .ready), (.skip, .failed): return .skipped
        case (.start, .inProgress):
            throw CommandError(.conflict, "\(task.key) is already in progress", rule: "tasks.already_started")
        case (_, let state) where state.isFinal:
            throw CommandError(.conflict, "\(task.key) is \(state.rawValue): nothing more happens to it", rule: "tasks.final")
        default:
            throw CommandError(.conflict, "\(task.key) is \(task.state.rawValue): it cannot \(action.verb) now", rule: "tasks.state")
        }
    }

    static func requireReason(_ reason: String) throws(CommandError) {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, reason.count <= 500, !reason.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw CommandError(.validation, "a reason of 1 to 500 characters is required", rule: "tasks.reason",
                               fields: ["reason": trimmed.isEmpty ? "required" : "invalid"])
        }
    }
}

extension AutomatedStep {
    /// The service that carries the step out.
    public var service: ServiceName {
        switch self {
        case .build: .build
        case .test: .testing
        case .rolloutPlan, .rolloutStart, .unknown: .rollout
        }
    }
}

extension WorkPlan {
    /// Planning's own name when it starts automated tasks.
    public static let planningActor = "shipboard-planning"

    /// Starts every ready automated task of `phase` (the release is in that phase): each is in
    /// progress with its service as assignee, waiting on it. Returns them with their steps.
    public mutating func startAutomatedTasks(of phase: ReleasePhase, at now: Date) -> [(TaskTransition, AutomatedStep)] {
        var started: [(TaskTransition, AutomatedStep)] = []
        for task in tasks where task.kind == .automated && task.phase == phase && task.state == .ready {
            guard let step = task.step, step.isKnown,
                  let transition = try? perform(.start, on: task.key, by: .service(Self.planningActor), at: now),
                  let position = try? position(of: task.key)
            else { continue }
            update(at: position) { $0.assignee = "shipboard-\(step.service.rawValue)" }
            started.append((transition, step))
        }
        return started
    }
}

extension WorkPlan {
    /// A finished release (cancelled, rejected, backed out, closed): every task still open is
    /// cancelled, so nothing shows as waiting or in progress any more. The keys it changed.
    public mutating func cancelOpenTasks(at now: Date) -> [String] {
        var cancelled: [String] = []
        for index in tasks.indices where !tasks[index].state.isFinal {
            update(at: index) { task in
                task.state = .cancelled
                task.finishedAt = now
            }
            cancelled.append(tasks[index].key)
        }
        return cancelled
    }
}
