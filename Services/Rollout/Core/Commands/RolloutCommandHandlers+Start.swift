import Contracts
import Foundation
import Messaging
import Postgres

/// Starting a planned rollout: planning's automated deploy task (`rollout.start_rollout`,
/// sent when the release enters `deploy`, which planning allows only outside freeze windows
/// and without unresolved collisions) or a person (`rollout.request_start`, only while the
/// release is deploying). Either way the first wave opens and the coordinator takes over.
extension RolloutCommandHandlers {
    func registerStart(into handlers: inout MessageHandlers) {
        handlers.on(StartRollout.self) { envelope, context in
            let step = envelope.payload
            let outbox = RolloutOutbox(context)
            guard var record = try await rollouts.live(releaseKey: step.releaseKey, lock: true, in: context.transaction) else {
                // Nothing to start: answer the task, so the release does not wait for ever.
                let latest = try await rollouts.latest(releaseKey: step.releaseKey, in: context.transaction)
                let succeeded = latest?.state == .completed
                let detail = latest.map { "the release's rollout is already \($0.state.rawValue)" }
                    ?? "no rollout is planned for \(step.releaseKey): plan one (shipboard rollout plan), then retry this task"
                try await outbox.publish(
                    [RolloutFinished(releaseKey: step.releaseKey, taskKey: step.taskKey, succeeded: succeeded, detail: detail)],
                    releaseKey: step.releaseKey)
                return
            }
            if record.startTaskKey == nil { record.startTaskKey = step.taskKey }
            try await start(&record, context)
        }
        handlers.onCommand(RequestRolloutStart.self) { envelope, context in
            let key = envelope.payload.releaseKey
            try Self.checkReleaseKey(key)
            let release = try await planning.release(key, in: context.transaction)
            guard release.phase == .deploy, release.status == .inProgress else {
                throw CommandError(
                    .conflict, "release \(key) is \(release.status.rawValue) in \(release.phase.rawValue): a rollout starts once the release is deploying",
                    rule: "rollout.release_not_deploying")
            }
            var record = try await liveRollout(key, in: context.transaction)
            guard record.state == .planned || record.state == .running else {
                throw CommandError(.conflict, "release \(key)'s rollout is \(record.state.rawValue), not planned", rule: "rollout.state")
            }
            try await start(&record, context)
            return RolloutControlled(releaseKey: key, rolloutId: record.id.uuidString.lowercased(), state: record.state)
        }
    }

    /// A planned rollout starts: it runs, its first wave opens and its DML entry is pinned.
    /// One already started only records the task waiting on it.
    private func start(_ record: inout RolloutRecord, _ context: HandlerContext) async throws {
        let outbox = RolloutOutbox(context)
        guard record.state == .planned else {
            return try await rollouts.save(record, in: context.transaction)
        }
        record.state = .running
        record.currentWave = 0
        try await rollouts.save(record, actor: context.header.actor, in: context.transaction)
        try await rollouts.mark(wave: 0, of: record.id, .opened, in: context.transaction)
        let id = record.id.uuidString.lowercased()
        let waves = try await targets.waves(of: record.id, in: context.transaction)
        let total = try await targets.targets(of: record.id, in: context.transaction).filter { $0.wave == 0 }.count
        try await outbox.publish(
            [RolloutStarted(releaseKey: record.releaseKey, rolloutId: id),
             RolloutWaveOpened(releaseKey: record.releaseKey, rolloutId: id, wave: 0, sites: waves.first?.sites ?? [],
                               succeeded: 0, failed: 0, total: total)],
            releaseKey: record.releaseKey)
        try await outbox.send(
            PinDMLEntry(name: record.image.name, version: record.image.version, holder: record.dmlHolder), releaseKey: record.releaseKey)
        await wake?.signal()
    }
}
