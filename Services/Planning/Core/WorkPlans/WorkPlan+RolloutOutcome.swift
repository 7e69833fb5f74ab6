import Contracts
import Foundation

/// A target's transition in shipboard-rollout moves its rollout task. The rollout service
/// holds the truth about targets (it deploys them in its own waves and order), so a task
/// follows its target whatever planning thought of its readiness:
///
/// | target | task |
/// |---|---|
/// | succeeded | `done` |
/// | failed | `failed`, the detail as reason |
/// | backed out | `failed`, reason "backed out": the target does not have the release, so `done` would be false; `cancelled` would say it was never needed and is final, while a backed-out target may be retried (`failed` → ready) and rightly holds the deploy phase |
/// | skipped, excluded | `skipped` |
/// | retried (pending again) | a `failed` task back to `ready` (or `waiting`, as its predecessors say) |
///
/// A task of a replaced plan (`cancelled`) does not move; nor does a finished one, but a
/// `done` one that is backed out. An outcome a task already shows changes nothing, so a
/// repeated event has no second effect.
extension WorkPlan {
    /// Moves rollout task `key` as its target's new `state` says, at `now`; nil when nothing
    /// changes (no such rollout task, a repeat, a transition the table has no row for).
    public mutating func recordRolloutOutcome(
        _ state: RolloutTargetState, detail: String?, on key: String, at now: Date
    ) -> TaskTransition? {
        guard let position = try? position(of: key), tasks[position].kind == .rollout else { return nil }
        let task = tasks[position]
        guard let outcome = Self.rolloutOutcome(state, detail: detail, from: task.state),
              outcome.state != task.state || outcome.reason != task.reason
        else { return nil }
        let readyBefore = Set(tasks.filter { $0.state == .ready }.map(\.key))
        update(at: position) { task in
            task.state = outcome.state
            task.reason = outcome.reason
            task.finishedAt = outcome.state == .waiting ? nil : now
        }
        refreshReadiness()
        let after = tasks[position].state
        let nowReady = tasks.filter { $0.state == .ready && !readyBefore.contains($0.key) && $0.key != key }.map(\.key)
        return TaskTransition(key: key, from: task.state, to: after, nowReady: nowReady)
    }

    /// The task's state and reason after its target reached `state`, from `current`; nil
    /// when the target's state does not move a task in `current` (see the type's table).
    /// `waiting` stands for "not started": readiness then says `ready` or `waiting`.
    static func rolloutOutcome(
        _ state: RolloutTargetState, detail: String?, from current: TaskState
    ) -> (state: TaskState, reason: String?)? {
        let open: Set<TaskState> = [.waiting, .ready, .inProgress, .failed]
        let said = RolloutText.clean(detail, limit: 400)
        switch state {
        case .succeeded where open.contains(current):
            return (.done, nil)
        case .failed where open.contains(current):
            return (.failed, said ?? "the deploy failed")
        case .backedOut where open.contains(current) || current == .done:
            return (.failed, said.map { "backed out: \($0)" } ?? "backed out")
        case .skipped where open.contains(current):
            return (.skipped, said ?? "skipped in the rollout")
        case .excluded where open.contains(current):
            return (.skipped, said.map { "excluded: \($0)" } ?? "excluded from the rollout")
        case .pending where current == .failed:
            return (.waiting, nil)
        default:
            return nil
        }
    }
}
