import Contracts
import Foundation
import Messaging
import Postgres

/// People's control of a rollout (`rollout.control`): pause, resume, abort, retry, skip or
/// exclude targets, approve the gate after a wave. The rules are ``RolloutControl``'s.
extension RolloutCommandHandlers {
    func registerControl(into handlers: inout MessageHandlers) {
        handlers.onCommand(ControlRollout.self) { envelope, context in
            let command = envelope.payload
            try Self.checkReleaseKey(command.releaseKey)
            try RolloutControlInput.check(command)
            var record = try await liveRollout(command.releaseKey, in: context.transaction)
            let actor = context.header.actor
            let changed: [String]
            switch command.action {
            case .pause, .resume, .abort:
                try await changeRollout(&record, command, actor: actor, context)
                changed = []
            case .approveWave:
                try await approveGate(record, actor: actor, context)
                changed = []
            default:
                changed = try await changeTargets(&record, command, actor: actor, context)
            }
            try await rollouts.save(record, in: context.transaction)
            await wake?.signal()
            return RolloutControlled(
                releaseKey: record.releaseKey, rolloutId: record.id.uuidString.lowercased(), state: record.state, changedTargets: changed)
        }
    }

    private func changeRollout(_ record: inout RolloutRecord, _ command: ControlRollout, actor: String, _ context: HandlerContext) async throws {
        let rows = try await targets.targets(of: record.id, in: context.transaction)
        let inFlight = rows.filter { $0.state == .running && $0.action == .deploy }
        let succeeded = rows.filter { $0.state == .succeeded }
        let action: RolloutControl.Action = switch command.action {
        case .pause: .pause
        case .resume: .resume
        default: .abort(reason: command.reason ?? "")
        }
        let next = try RolloutControl.rolloutState(after: action, from: record.state, succeededTargets: succeeded.count + inFlight.count)
        let id = record.id.uuidString.lowercased()
        let counts = Dictionary(grouping: rows, by: \.state.rawValue).mapValues(\.count)
        var events: [any EventContract] = []
        switch next {
        case .paused:
            events.append(RolloutPaused(releaseKey: record.releaseKey, rolloutId: id, reason: command.reason, counts: counts))
        case .running:
            record.wakeAt = nil
            events.append(RolloutResumed(releaseKey: record.releaseKey, rolloutId: id, reason: command.reason, counts: counts))
        case .backingOut:
            // Everything this rollout changed goes, the latest first; deploys still running follow if they succeed.
            let order = inFlight.map(\.taskKey)
                + succeeded.sorted { ($0.succeededAt ?? .distantPast) > ($1.succeededAt ?? .distantPast) }.map(\.taskKey)
            try await targets.markForBackout(record.id, keys: order, in: context.transaction)
            record.reason = "aborted by \(actor): \(command.reason ?? "")"
            record.wakeAt = nil
            events.append(RolloutHalted(releaseKey: record.releaseKey, rolloutId: id, reason: record.reason, counts: counts))
        default:
            record.reason = "aborted by \(actor): \(command.reason ?? "")"
            events.append(RolloutAborted(releaseKey: record.releaseKey, rolloutId: id, reason: record.reason, counts: counts))
            if let task = record.startTaskKey {
                events.append(RolloutFinished(releaseKey: record.releaseKey, taskKey: task, succeeded: false, detail: String(record.reason?.prefix(500) ?? "")))
            }
            if record.state != .planned {
                try await RolloutOutbox(context).send(
                    UnpinDMLEntry(name: record.image.name, version: record.image.version, holder: record.dmlHolder), releaseKey: record.releaseKey)
            }
        }
        record.state = next
        try await RolloutOutbox(context).publish(events, releaseKey: record.releaseKey)
    }

    private func approveGate(_ record: RolloutRecord, actor: String, _ context: HandlerContext) async throws {
        let waves = try await targets.waves(of: record.id, in: context.transaction)
        guard record.state == .running || record.state == .paused, let wave = waves.first(where: { $0.index == record.currentWave }),
              wave.gateAfter.kind == .approval, wave.completedAt != nil, !wave.approved, record.currentWave + 1 < waves.count
        else {
            throw CommandError(
                .conflict, "release \(record.releaseKey)'s rollout is not waiting for an approval after its current wave",
                rule: "rollout.no_gate_waiting")
        }
        try await rollouts.mark(wave: wave.index, of: record.id, .approved(by: actor), in: context.transaction)
    }

    private func changeTargets(
        _ record: inout RolloutRecord, _ command: ControlRollout, actor: String, _ context: HandlerContext
    ) async throws -> [String] {
        let (keys, unknown) = try await targets.resolve(record.id, names: command.targets ?? [], in: context.transaction)
        guard unknown.isEmpty else {
            throw CommandError(.notFound, "not targets of this rollout: \(unknown.prefix(10).joined(separator: ", "))",
                               rule: "rollout.unknown_target", fields: ["targets": "unknown"])
        }
        let rows = Dictionary(uniqueKeysWithValues: try await targets.targets(of: record.id, in: context.transaction).map { ($0.taskKey, $0) })
        let detail = "\(command.action.rawValue) by \(actor)" + (command.reason.map { ": \($0)" } ?? "")
        // A failed backout is retried as a backout: the target is still installed, and the rollout backs out again.
        if command.action == .retry, record.state == .halted || record.state == .backingOut {
            let failedBackouts = keys.filter { rows[$0]?.state == .failed && rows[$0]?.action == .backout }
            guard failedBackouts.count == keys.count else {
                throw CommandError(.conflict, "while the rollout is \(record.state.rawValue) only failed backouts are retried",
                                   rule: "rollout.target_state")
            }
            let changed = try await targets.setState(record.id, keys: keys, to: .succeeded, from: [.failed], detail: detail, in: context.transaction)
            record.state = .backingOut
            return changed
        }
        func targetAction(_ key: String) -> RolloutControl.Action {
            switch command.action {
            case .retry: .retry(key)
            case .skip: .skip(key)
            default: .exclude(key)
            }
        }
        // All or nothing: the rollout's state, then every named target, must allow it.
        _ = try RolloutControl.rolloutState(after: targetAction(""), from: record.state, succeededTargets: 0)
        var to = RolloutTargetState.pending
        for key in keys { to = try RolloutControl.targetState(after: targetAction(key), from: rows[key]?.state ?? .pending) }
        let changed = try await targets.setState(
            record.id, keys: keys, to: to, from: [.pending, .failed], detail: detail, in: context.transaction)
        let id = record.id.uuidString.lowercased()
        let events = changed.compactMap { key -> (any EventContract)? in
            guard let row = rows[key] else { return nil }
            func make<Kind>(_: RolloutTargetEvent<Kind>.Type) -> RolloutTargetEvent<Kind> {
                RolloutTargetEvent<Kind>(
                    releaseKey: record.releaseKey, rolloutId: id, taskKey: key, target: row.target, site: row.site, wave: row.wave,
                    detail: detail)
            }
            switch to {
            case .pending: return make(RolloutTargetRetried.self)
            case .skipped: return make(RolloutTargetSkipped.self)
            default: return make(RolloutTargetExcluded.self)
            }
        }
        try await RolloutOutbox(context).publish(events, releaseKey: record.releaseKey)
        return changed
    }
}
