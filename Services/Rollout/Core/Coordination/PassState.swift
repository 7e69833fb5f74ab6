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
    private(set) var indexByKey: [String: Int]

    init(record: RolloutRecord, waves: [WaveRow], targets: [TargetRow], directory: PoolDirectory, now: Date) {
        self.record = record
        self.waves = waves
        self.targets = targets
        self.directory = directory
        self.now = now
        self.indexByKey = [:]
        replace(targets)
    }

    /// The targets the pass works from now (read again after a wave opens or a halt).
    mutating func replace(_ targets: [TargetRow]) {
        self.targets = targets
        indexByKey = Dictionary(targets.enumerated().map { ($1.taskKey, $0) }, uniquingKeysWith: { first, _ in first })
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

    func waveEvent<Kind>(
        _: RolloutWaveEvent<Kind>.Type, _ index: Int, _ counts: (succeeded: Int, failed: Int, total: Int)
    ) -> RolloutWaveEvent<Kind> {
        RolloutWaveEvent<Kind>(
            releaseKey: record.releaseKey, rolloutId: idText, wave: index, sites: waves.first { $0.index == index }?.sites ?? [],
            succeeded: counts.succeeded, failed: counts.failed, total: counts.total)
    }

    /// Answers planning's deploy task, when one waits on this rollout.
    mutating func finishStep(succeeded: Bool, detail: String) {
        changed = true
        guard let task = record.startTaskKey else { return }
        events.append(RolloutFinished(releaseKey: record.releaseKey, taskKey: task, succeeded: succeeded, detail: String(detail.prefix(500))))
    }
}
