import Contracts
import Foundation

/// What one coordinating pass has read and decided so far (``RolloutCoordination``).
struct PassState {
    var record: RolloutRecord
    var waves: [WaveRow]
    var targets: [TargetRow]
    let directory: PoolDirectory
    let now: Date
    var events: [any EventContract] = []
    var jobs: [(job: DeployJob, pool: String)] = []
    var changed = false
    /// Where each task key sits in `targets` (passes over 10,000 targets look keys up a lot).
    let indexByKey: [String: Int]

    init(record: RolloutRecord, waves: [WaveRow], targets: [TargetRow], directory: PoolDirectory, now: Date) {
        self.record = record
        self.waves = waves
        self.targets = targets
        self.directory = directory
        self.now = now
        self.indexByKey = Dictionary(targets.enumerated().map { ($1.taskKey, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var idText: String { record.id.uuidString.lowercased() }

    func target(_ key: String) -> TargetRow? { indexByKey[key].map { targets[$0] } }

    /// The coordinator rules' view of the rollout now.
    var snapshot: RolloutSnapshot {
        RolloutSnapshot(
            state: record.state, currentWave: record.currentWave, failureThreshold: record.haltAfter,
            backoutScope: record.backoutScope,
            waves: waves.map {
                RolloutSnapshot.Wave(
                    index: $0.index, window: record.window, gateAfter: $0.gateAfter, completedAt: $0.completedAt, approved: $0.approved)
            },
            targets: targets.map(\.snapshot))
    }

    /// Targets by state name.
    var counts: [String: Int] {
        Dictionary(grouping: targets, by: \.state.rawValue).mapValues(\.count)
    }

    func waveEvent<Kind>(_: RolloutWaveEvent<Kind>.Type, _ index: Int) -> RolloutWaveEvent<Kind> {
        let inWave = targets.filter { $0.wave == index }
        return RolloutWaveEvent<Kind>(
            releaseKey: record.releaseKey, rolloutId: idText, wave: index, sites: waves.first { $0.index == index }?.sites ?? [],
            succeeded: inWave.filter { $0.state == .succeeded }.count, failed: inWave.filter { $0.state == .failed }.count,
            total: inWave.count)
    }

    /// Answers planning's deploy task, when one waits on this rollout.
    mutating func finishStep(succeeded: Bool, detail: String) {
        changed = true
        guard let task = record.startTaskKey else { return }
        events.append(RolloutFinished(releaseKey: record.releaseKey, taskKey: task, succeeded: succeeded, detail: String(detail.prefix(500))))
    }
}
