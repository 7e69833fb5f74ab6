import Contracts
import Foundation
import PlanningCore
import Testing

/// Properties of work plans over random plans and random sequences of edits and actions
/// (seeded, so a failure can be replayed): a cycle is never stored, and no task starts
/// before every predecessor is done or skipped.
@Suite("Work plans: properties over random plans")
struct WorkPlanPropertyTests {
    /// SplitMix64: small, fast, reproducible.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A random acyclic plan: each task may follow some of the tasks listed before it.
    static func randomPlan(_ random: inout SeededGenerator, size: Int) -> WorkPlan {
        var tasks: [JobPlanTask] = []
        for index in 0..<size {
            let earlier = (0..<index).filter { _ in Int.random(in: 0..<10, using: &random) < 2 }.map { "t\($0)" }
            tasks.append(JobPlanTask(key: "t\(index)", title: "Task \(index)", group: "g", phase: .plan, owner: .group("workers"),
                                     estimateMinutes: Int.random(in: 0...120, using: &random), predecessors: earlier))
        }
        return WorkPlan(applying: JobPlan(name: "random", tasks: tasks))
    }

    /// True when following predecessors from `from` reaches `to` (an independent check).
    static func reaches(_ plan: WorkPlan, from: String, to: String) -> Bool {
        var seen: Set<String> = []
        var stack = [from]
        while let key = stack.popLast() {
            if key == to { return true }
            guard seen.insert(key).inserted else { continue }
            stack += plan[key]?.predecessors ?? []
        }
        return false
    }

    static func isAcyclic(_ plan: WorkPlan) -> Bool {
        plan.tasks.allSatisfy { task in !task.predecessors.contains { reaches(plan, from: $0, to: task.key) } }
    }

    @Test("random predecessor edits: an edit is refused as a cycle exactly when it would close one, and no cycle is ever stored")
    func cyclesAreNeverStored() throws {
        var random = SeededGenerator(state: 20_261_130)
        var refusedCycles = 0, accepted = 0
        for _ in 0..<60 {
            var plan = Self.randomPlan(&random, size: Int.random(in: 2...25, using: &random))
            for _ in 0..<40 {
                let keys = plan.tasks.map(\.key)
                let target = keys.randomElement(using: &random)!
                let predecessors = keys.filter { $0 != target && Int.random(in: 0..<10, using: &random) < 2 }
                let closesCycle = predecessors.contains { Self.reaches(plan, from: $0, to: target) }
                let before = plan
                do {
                    try plan.setPredecessors(target, predecessors)
                    #expect(!closesCycle, "\(target) ← \(predecessors) was stored although it closes a cycle")
                    accepted += 1
                } catch {
                    #expect(error.rule == "tasks.cycle" && closesCycle, "\(target) ← \(predecessors): \(error)")
                    #expect(plan == before, "a refused edit changed the plan")
                    refusedCycles += 1
                }
                #expect(Self.isAcyclic(plan))
            }
        }
        #expect(refusedCycles > 50 && accepted > 50, "both outcomes exercised: \(refusedCycles) refused, \(accepted) accepted")
    }

    @Test("random starts, finishes, failures and skips: no task is ever in progress or done before its predecessors are done or skipped")
    func nothingStartsEarly() throws {
        var random = SeededGenerator(state: 7)
        let manager = TaskActor.person("rita", groups: [], isReleaseManager: true)
        var outcomes: [String: Int] = [:]
        for _ in 0..<80 {
            var plan = Self.randomPlan(&random, size: Int.random(in: 1...30, using: &random))
            for step in 0..<150 {
                let key = plan.tasks.randomElement(using: &random)!.key
                let before = plan[key]!
                let predecessorsFinished = before.predecessors.allSatisfy { plan[$0]!.state == .done || plan[$0]!.state == .skipped }
                let action: TaskAction = switch Int.random(in: 0..<10, using: &random) {
                case 0..<4: .start
                case 4..<7: .finish
                case 7: .fail(reason: "broke")
                default: .skip(reason: "not needed")
                }
                do {
                    let transition = try plan.perform(action, on: key, by: manager, at: Date(timeIntervalSince1970: Double(step)))
                    if action == .start { #expect(predecessorsFinished, "\(key) started before its predecessors finished") }
                    outcomes[transition.to.rawValue, default: 0] += 1
                } catch {
                    #expect(plan[key] == before, "a refused action changed the task")
                    outcomes[error.rule ?? "?", default: 0] += 1
                }
                for task in plan.tasks {
                    let finished = task.predecessors.allSatisfy { plan[$0]!.state == .done || plan[$0]!.state == .skipped }
                    if [.inProgress, .done, .failed].contains(task.state) { #expect(finished, "\(task.key) is \(task.state.rawValue) early") }
                    if task.state == .ready || task.state == .waiting { #expect((task.state == .ready) == finished, "\(task.key) readiness") }
                }
            }
        }
        for outcome in ["in_progress", "done", "failed", "skipped", "tasks.not_ready", "tasks.final", "tasks.already_started"] {
            #expect(outcomes[outcome, default: 0] > 0, "\(outcome) never happened: \(outcomes)")
        }
    }

    @Test("the critical path is a chain of predecessors and its length is the most remaining work over any chain")
    func criticalPathIsLongest() {
        var random = SeededGenerator(state: 99)
        for _ in 0..<100 {
            let plan = Self.randomPlan(&random, size: Int.random(in: 1...20, using: &random))
            let progress = WorkPlanProgress(of: plan, now: Date(timeIntervalSince1970: 0), scheduledStart: nil)
            // Brute force: the longest chain ending at each task, by memoized recursion.
            var longest: [String: Int] = [:]
            func chain(_ key: String) -> Int {
                if let known = longest[key] { return known }
                let task = plan[key]!
                let value = task.estimateMinutes + (task.predecessors.map(chain).max() ?? 0)
                longest[key] = value
                return value
            }
            #expect(progress.remainingMinutes == (plan.tasks.map { chain($0.key) }.max() ?? 0))
            let path = progress.criticalPath
            #expect(path.map { plan[$0]!.estimateMinutes }.reduce(0, +) == progress.remainingMinutes)
            for (earlier, later) in zip(path, path.dropFirst()) {
                #expect(Self.reaches(plan, from: later, to: earlier), "\(later) does not follow \(earlier)")
            }
        }
    }
}
