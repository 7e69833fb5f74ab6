import Contracts
import Foundation
import RolloutCore
import Testing

/// The coordinator's rules (issue 13, items 2 and 3): windows, dependencies, thresholds,
/// gates and backout order, decided from a snapshot alone.
@Suite("Rollout coordinator: what happens next")
struct RolloutCoordinatorTests {
    typealias Target = RolloutSnapshot.Target
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two waves: a canary of 2, then 4 targets with a window of 2.
    static func rollout(
        _ states: [String: RolloutTargetState] = [:], wave: Int = 0, threshold: Int = 2, gate: RolloutWaveGate = .init(kind: .none),
        completed: Date? = nil, approved: Bool = false, scope: RolloutBackoutScope = .currentWave
    ) -> RolloutSnapshot {
        let keys = [(0, "c1"), (0, "c2"), (1, "t1"), (1, "t2"), (1, "t3"), (1, "t4")]
        var targets: [Target] = []
        for (position, (waveIndex, key)) in keys.enumerated() {
            let state = states[key] ?? .pending
            targets.append(Target(taskKey: key, wave: waveIndex, position: position, state: state,
                                  dependsOn: key == "t4" ? ["t1"] : [],
                                  succeededAt: state == .succeeded ? start.addingTimeInterval(Double(position)) : nil))
        }
        return RolloutSnapshot(
            state: .running, currentWave: wave, failureThreshold: threshold, backoutScope: scope,
            waves: [.init(index: 0, window: 2, gateAfter: gate, completedAt: completed, approved: approved), .init(index: 1, window: 2)],
            targets: targets)
    }

    @Test("the canary's targets start first, and only the current wave's")
    func startsTheCanary() {
        #expect(RolloutCoordinator.next(Self.rollout(), now: Self.start) == .start(["c1", "c2"]))
    }

    @Test("a full window starts nothing; a free place starts the next target in order")
    func respectsTheWindow() {
        let busy = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .running, "t2": .running], wave: 1)
        #expect(RolloutCoordinator.next(busy, now: Self.start) == .idle)
        let oneFree = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .running, "t2": .succeeded], wave: 1)
        // t3 may start; t4 waits for t1, which it depends on.
        #expect(RolloutCoordinator.next(oneFree, now: Self.start) == .start(["t3"]))
        let dependencyDone = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .succeeded, "t2": .succeeded, "t3": .running], wave: 1)
        #expect(RolloutCoordinator.next(dependencyDone, now: Self.start) == .start(["t4"]))
    }

    @Test("two sources rolled out to one host never run at once: the second waits for the first, another host's goes ahead")
    func oneDeployPerHost() {
        func wave(_ states: [String: RolloutTargetState]) -> RolloutSnapshot {
            let targets = [("a-h1", "h1"), ("b-h1", "h1"), ("a-h2", "h2"), ("b-h2", "h2")].enumerated().map { position, pair in
                Target(taskKey: pair.0, wave: 0, position: position, state: states[pair.0] ?? .pending, host: pair.1)
            }
            return RolloutSnapshot(
                state: .running, currentWave: 0, failureThreshold: 1, backoutScope: .currentWave,
                waves: [.init(index: 0, window: 4)], targets: targets)
        }
        #expect(RolloutCoordinator.next(wave([:]), now: Self.start) == .start(["a-h1", "a-h2"]))
        #expect(RolloutCoordinator.next(wave(["a-h1": .running, "a-h2": .succeeded]), now: Self.start) == .start(["b-h2"]))
        #expect(RolloutCoordinator.next(wave(["a-h1": .succeeded, "a-h2": .running]), now: Self.start) == .start(["b-h1"]))
    }

    @Test("a target of an earlier wave retried after that wave completed is deployed with the current wave, first, and holds its completion")
    func retriedEarlierTarget() {
        var retried = Self.rollout(["c1": .succeeded, "c2": .pending, "t1": .succeeded, "t2": .succeeded, "t3": .succeeded, "t4": .succeeded],
                                   wave: 1)
        #expect(RolloutCoordinator.next(retried, now: Self.start) == .start(["c2"]))
        retried.targets[1].state = .running
        #expect(RolloutCoordinator.next(retried, now: Self.start) == .idle, "the last wave is not complete while c2 runs")
    }

    @Test("a settled wave is completed, then its gate holds the next one: a pause, a soak, an approval")
    func gatesBetweenWaves() {
        let settled: [String: RolloutTargetState] = ["c1": .succeeded, "c2": .skipped]
        #expect(RolloutCoordinator.next(Self.rollout(settled), now: Self.start) == .completeWave(0))
        #expect(RolloutCoordinator.next(Self.rollout(settled, completed: Self.start), now: Self.start) == .openWave(1))
        let paused = Self.rollout(settled, gate: .init(kind: .pause, seconds: 600), completed: Self.start)
        #expect(RolloutCoordinator.next(paused, now: Self.start.addingTimeInterval(599)) == .waitUntil(Self.start.addingTimeInterval(600), wave: 0))
        #expect(RolloutCoordinator.next(paused, now: Self.start.addingTimeInterval(600)) == .openWave(1))
        let soaked = Self.rollout(settled, gate: .init(kind: .soak, seconds: 60), completed: Self.start)
        #expect(RolloutCoordinator.next(soaked, now: Self.start.addingTimeInterval(61)) == .openWave(1))
        let gated = Self.rollout(settled, gate: .init(kind: .approval), completed: Self.start)
        #expect(RolloutCoordinator.next(gated, now: Self.start) == .awaitApproval(wave: 0))
        #expect(RolloutCoordinator.next(Self.rollout(settled, gate: .init(kind: .approval), completed: Self.start, approved: true), now: Self.start) == .openWave(1))
    }

    @Test("reaching the failure threshold halts and backs out the current wave's successes, latest first; below it the wave goes on")
    func haltsAtTheThreshold() {
        let below = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .failed, "t2": .succeeded], wave: 1)
        #expect(RolloutCoordinator.next(below, now: Self.start) == .start(["t3"]))
        let reached = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .failed, "t2": .succeeded, "t3": .failed], wave: 1)
        guard case .halt(let reason, let backOut) = RolloutCoordinator.next(reached, now: Self.start) else {
            Issue.record("no halt")
            return
        }
        #expect(reason.contains("2 target(s) failed") && backOut == ["t2"])
        let all = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .failed, "t2": .succeeded, "t3": .failed], wave: 1, scope: .all)
        #expect(RolloutCoordinator.backoutOrder(all, scope: .all) == ["t2", "c2", "c1"])
    }

    @Test("the last wave settled completes the rollout, or waits for a decision on its failed targets; a paused or halted rollout does nothing")
    func completesAndRests() {
        var done = Self.rollout(["c1": .succeeded, "c2": .succeeded, "t1": .succeeded, "t2": .excluded, "t3": .succeeded, "t4": .succeeded], wave: 1)
        #expect(RolloutCoordinator.next(done, now: Self.start) == .completeWave(1))
        done.waves[1].completedAt = Self.start
        #expect(RolloutCoordinator.next(done, now: Self.start) == .complete)
        // A failure below the threshold waits for a person's decision instead of completing.
        var failedOne = done
        failedOne.targets[2].state = .failed
        #expect(RolloutCoordinator.next(failedOne, now: Self.start) == .awaitDecision(failed: ["t1"]))
        var paused = Self.rollout()
        paused.state = .paused
        #expect(RolloutCoordinator.next(paused, now: Self.start) == .idle)
    }

    @Test("operators: pause, resume, abort with a reason, retry, skip and exclude, each refused where it makes no sense")
    func control() throws {
        #expect(try RolloutControl.rolloutState(after: .pause, from: .running, succeededTargets: 0) == .paused)
        #expect(try RolloutControl.rolloutState(after: .resume, from: .paused, succeededTargets: 0) == .running)
        #expect(try RolloutControl.rolloutState(after: .abort(reason: "wrong image"), from: .running, succeededTargets: 3) == .backingOut)
        #expect(try RolloutControl.rolloutState(after: .abort(reason: "wrong image"), from: .planned, succeededTargets: 0) == .aborted)
        #expect(throws: CommandError.self) { try RolloutControl.rolloutState(after: .abort(reason: "a\u{0}"), from: .running, succeededTargets: 0) }
        #expect(throws: CommandError.self) { try RolloutControl.rolloutState(after: .resume, from: .running, succeededTargets: 0) }
        #expect(throws: CommandError.self) { try RolloutControl.rolloutState(after: .pause, from: .completed, succeededTargets: 0) }
        #expect(try RolloutControl.targetState(after: .retry("t1"), from: .failed) == .pending)
        #expect(try RolloutControl.targetState(after: .skip("t1"), from: .pending) == .skipped)
        #expect(try RolloutControl.targetState(after: .exclude("t1"), from: .failed) == .excluded)
        do {
            _ = try RolloutControl.targetState(after: .retry("t1"), from: .succeeded)
            Issue.record("a succeeded target was retried")
        } catch {
            #expect(error.rule == "rollout.target_state" && error.message.contains("t1"))
        }
    }
}
