import Contracts
import Foundation
import PlanningCore
import Testing

/// An action on a task's neighbourhood (the task, its predecessors, its successors and theirs)
/// changes exactly what the same action on the whole plan changes.
@Suite("Work plans: neighbourhood of a task")
struct WorkPlanNeighbourhoodTests {
    /// The neighbourhood as the repository's query selects it.
    static func neighbourhood(of key: String, in plan: WorkPlan) -> WorkPlan {
        let task = plan[key]
        let successors = plan.tasks.filter { $0.predecessors.contains(key) }
        let wanted = Set([key] + (task?.predecessors ?? []) + successors.map(\.key) + successors.flatMap(\.predecessors))
        return .neighbourhood(jobPlanName: plan.jobPlanName, jobPlanVersion: plan.jobPlanVersion,
                              tasks: plan.tasks.filter { wanted.contains($0.key) })
    }

    @Test("every action on every task of the standard plan, worked part-way, agrees with the whole plan")
    func agreesWithWholePlan() throws {
        var whole = WorkPlan(applying: DefaultJobPlan.plan)
        let manager = TaskActor.person("rita", groups: [], isReleaseManager: true)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Part-way: the first tasks done, one failed, one skipped.
        for key in ["structure", "ci-relationships", "image-design"] {
            _ = try whole.perform(.start, on: key, by: manager, at: now)
            _ = try whole.perform(.finish, on: key, by: manager, at: now)
        }
        _ = try whole.perform(.skip(reason: "none"), on: "communication-plan", by: manager, at: now)
        _ = try whole.perform(.start, on: "backout", by: manager, at: now)
        _ = try whole.perform(.fail(reason: "broken"), on: "backout", by: manager, at: now)
        let actions: [TaskAction] = [.start, .finish, .fail(reason: "r"), .skip(reason: "r")]
        var compared = 0
        for task in whole.tasks {
            for action in actions {
                var full = whole
                var part = Self.neighbourhood(of: task.key, in: whole)
                let expected = Result { () throws(CommandError) in try full.perform(action, on: task.key, by: manager, at: now) }
                let actual = Result { () throws(CommandError) in try part.perform(action, on: task.key, by: manager, at: now) }
                #expect(actual == expected, "\(action) \(task.key)")
                for changed in part.tasks { #expect(full[changed.key] == changed, "\(action) \(task.key): \(changed.key)") }
                compared += 1
            }
        }
        #expect(compared == whole.tasks.count * actions.count)
    }

    @Test("a neighbourhood keeps the stored state of a task whose predecessors it does not hold")
    func keepsUnseenReadiness() throws {
        var whole = WorkPlan(applying: DefaultJobPlan.plan)
        let manager = TaskActor.person("rita", groups: [], isReleaseManager: true)
        _ = try whole.perform(.start, on: "structure", by: manager, at: Date())
        _ = try whole.perform(.finish, on: "structure", by: manager, at: Date())
        // ci-relationships is ready; its neighbourhood holds structure, but image-design's holds
        // ci-relationships without structure: it must stay ready there, not fall back to waiting.
        let part = Self.neighbourhood(of: "image-design", in: whole)
        #expect(part["ci-relationships"]?.state == .ready && !part.isComplete)
    }
}
