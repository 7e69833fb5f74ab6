import Contracts
import Foundation

/// What a rollout's coordinator does next, decided from a ``RolloutSnapshot``. Every replica
/// runs the same rules under the rollout's row lock, so there is no leader and nothing is
/// held in memory: whoever holds the lock applies the step and commits it.
///
/// In order:
/// 1. A rollout that is not running (planned, paused, halted, final) does nothing.
/// 2. Reaching the failure threshold halts it and names the targets to back out: those that
///    succeeded in the current wave (or in all waves, as configured), the latest first.
/// 3. In the current wave, pending targets start in order, at most the wave's window at
///    once, each only when the targets it depends on are done (succeeded, skipped, excluded)
///    and no other rollout to the same host (target CI) is running.
///    A target of an earlier wave retried after that wave completed goes with the current one.
/// 4. A wave whose targets are all settled is completed (its time recorded), then its gate
///    is honoured (a pause or soak time, or an approval) before the next wave opens.
/// 5. After the last wave the rollout is complete, unless targets failed (below the
///    threshold): then it waits for a person to retry, skip or exclude them, or abort.
public enum RolloutCoordinator {
    public enum Step: Sendable, Equatable {
        /// Nothing to do now (not running, a window full, targets waiting on others).
        case idle
        /// Dispatch deploy jobs for these targets (task keys), in this order.
        case start([String])
        /// Halt the rollout, and back out these targets (in this order).
        case halt(reason: String, backOut: [String])
        /// Record the wave as completed (`rollout.wave_completed`).
        case completeWave(Int)
        /// The gate after the wave holds until then.
        case waitUntil(Date, wave: Int)
        /// The gate after the wave needs a person's approval.
        case awaitApproval(wave: Int)
        /// Open the next wave.
        case openWave(Int)
        /// Every wave is settled but these targets failed (below the threshold): a person
        /// retries, skips or excludes them, or aborts (guided failure).
        case awaitDecision(failed: [String])
        /// Every wave is done.
        case complete
    }

    public static func next(_ rollout: RolloutSnapshot, now: Date) -> Step {
        guard rollout.state == .running, rollout.waves.indices.contains(rollout.currentWave) else { return .idle }
        let failed = rollout.targets.filter { $0.state == .failed }.count
        if failed >= max(1, rollout.failureThreshold) {
            return .halt(
                reason: "\(failed) target(s) failed, reaching the failure threshold of \(max(1, rollout.failureThreshold))",
                backOut: backoutOrder(rollout, scope: rollout.backoutScope))
        }
        let wave = rollout.waves[rollout.currentWave]
        // A target of an earlier wave that is not settled (retried after its wave completed)
        // is deployed with the current wave, first.
        let inWave = rollout.targets.filter { $0.wave == wave.index || ($0.wave < wave.index && !$0.state.isSettled) }
            .sorted { ($0.wave, $0.position) < ($1.wave, $1.position) }
        if inWave.contains(where: { !$0.state.isSettled }) {
            let running = inWave.filter { $0.state == .running }.count
            let capacity = max(1, wave.window) - running
            guard capacity > 0 else { return .idle }
            let states = Dictionary(rollout.targets.map { ($0.taskKey, $0.state) }, uniquingKeysWith: { first, _ in first })
            // One deploy at a time per host: a host busy now, or taken by an earlier pick, waits.
            var busyHosts = Set(rollout.targets.filter { $0.state == .running }.compactMap(\.host))
            let startable = inWave.filter { target in
                guard target.state == .pending, target.dependsOn.allSatisfy({ states[$0]?.releasesDependents ?? true }) else { return false }
                guard let host = target.host else { return true }
                return busyHosts.insert(host).inserted
            }
            return startable.isEmpty ? .idle : .start(startable.prefix(capacity).map(\.taskKey))
        }
        guard let completedAt = wave.completedAt else { return .completeWave(wave.index) }
        guard rollout.currentWave + 1 < rollout.waves.count else {
            let failed = rollout.targets.filter { $0.state == .failed }.map(\.taskKey)
            return failed.isEmpty ? .complete : .awaitDecision(failed: failed)
        }
        switch wave.gateAfter.kind {
        case .pause, .soak:
            let opens = completedAt.addingTimeInterval(TimeInterval(wave.gateAfter.seconds ?? 0))
            return now >= opens ? .openWave(rollout.currentWave + 1) : .waitUntil(opens, wave: wave.index)
        case .approval:
            return wave.approved ? .openWave(rollout.currentWave + 1) : .awaitApproval(wave: wave.index)
        case .none, .unknown:
            // An unknown gate was refused when the plan was made; none holds nothing.
            return .openWave(rollout.currentWave + 1)
        }
    }

    /// The targets a halt or an abort backs out, latest success first.
    public static func backoutOrder(_ rollout: RolloutSnapshot, scope: RolloutBackoutScope) -> [String] {
        rollout.targets
            .filter { $0.state == .succeeded && (scope == .all || $0.wave == rollout.currentWave) }
            .sorted { ($0.succeededAt ?? .distantPast, $0.wave, $0.position) > ($1.succeededAt ?? .distantPast, $1.wave, $1.position) }
            .map(\.taskKey)
    }
}
