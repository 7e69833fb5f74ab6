import Contracts
import Foundation
import Messaging
import Postgres

/// One coordinating pass over one rollout, by whichever replica gets its row lock first
/// (`FOR UPDATE SKIP LOCKED`: the others skip it). Inside one transaction it takes back
/// expired leases, applies ``RolloutCoordinator`` (or ``BackoutRules`` while backing out)
/// until nothing more can happen now, and writes the changes with their events and deploy
/// jobs through the outbox. Nothing is kept in memory between passes: a replica killed mid-pass
/// commits nothing, and the next pass (on any replica) starts from the rows.
public struct RolloutCoordination: Sendable {
    public let schema: String
    let outbox: Outbox

    public init(schema: String) {
        self.schema = schema
        self.outbox = Outbox(schema: schema)
    }

    public enum Outcome: Sendable, Equatable {
        /// Another replica is coordinating it now.
        case lockedElsewhere
        /// The pass ran; `changed` when it wrote anything.
        case passed(changed: Bool)
    }

    /// Runs one pass over rollout `id` in `transaction`.
    public func pass(_ id: UUID, now: Date = Date(), in transaction: PostgresTransaction) async throws -> Outcome {
        let rollouts = RolloutRepository(schema: schema)
        guard let record = try await rollouts.lock(id, skipLocked: true, in: transaction) else { return .lockedElsewhere }
        guard !record.state.isFinal else { return .passed(changed: false) }
        var run = PassState(
            record: record,
            waves: try await TargetStore(schema: schema).waves(of: id, in: transaction),
            targets: try await TargetStore(schema: schema).targets(of: id, workingOn: record.currentWave, in: transaction),
            directory: try await WorkerRegistry(schema: schema).directory(in: transaction), now: now)
        let store = TargetStore(schema: schema)
        try await takeBackLeases(&run, store, transaction)
        if run.record.state == .running { try await advance(&run, store, rollouts, transaction) }
        if run.record.state == .backingOut { try await backOut(&run, store, transaction) }
        guard run.changed || run.record != record else { return .passed(changed: false) }
        try await rollouts.save(run.record, in: transaction)
        let sink = RolloutOutbox(outbox: outbox, transaction: transaction)
        try await sink.publish(run.events, releaseKey: record.releaseKey)
        try await sink.dispatch(run.jobs, releaseKey: record.releaseKey)
        if run.record.state.isFinal {
            try await sink.send(
                UnpinDMLEntry(name: record.image.name, version: record.image.version, holder: record.dmlHolder),
                releaseKey: record.releaseKey)
        }
        return .passed(changed: true)
    }

    /// Targets whose replica died mid-attempt go out again as a new attempt.
    private func takeBackLeases(_ run: inout PassState, _ store: TargetStore, _ transaction: PostgresTransaction) async throws {
        let expired = try await store.takeBackExpiredLeases(run.record.id, in: transaction)
        for action in [DeployJobAction.deploy, .backout] {
            let keys = expired.filter { $0.action == action }.map(\.key)
            try await dispatch(keys, action: action, &run, store, transaction)
        }
    }

    /// Deploys: start, halt, complete and open waves, complete the rollout.
    private func advance(
        _ run: inout PassState, _ store: TargetStore, _ rollouts: RolloutRepository, _ transaction: PostgresTransaction
    ) async throws {
        let id = run.record.id
        for _ in 0..<(run.targets.count + 2 * run.waves.count + 4) {
            switch RolloutCoordinator.next(run.snapshot, now: run.now) {
            case .idle, .awaitApproval, .awaitDecision:
                return
            case .waitUntil(let opens, _):
                run.record.wakeAt = opens
                return
            case .start(let keys):
                let routable = keys.filter { key in run.target(key).map { run.directory.pool(for: $0.site, now: run.now) != nil } ?? false }
                try await dispatch(routable, action: .deploy, &run, store, transaction)
                // The others wait for a worker pool that serves their site.
                if routable.count < keys.count || routable.isEmpty { return }
            case .halt(let reason, _):
                // Every target now: a halt of scope `all` backs out earlier waves' successes too.
                run.replace(try await store.targets(of: id, in: transaction))
                let scope = run.record.backoutScope
                let backOut = RolloutCoordinator.backoutOrder(run.snapshot, scope: scope)
                // Deploys still running in the scope are backed out too if they succeed.
                let inFlight = run.targets.filter {
                    $0.state == .running && $0.action == .deploy && (scope == .all || $0.wave == run.record.currentWave)
                }.map(\.taskKey)
                try await halt(&run, reason: reason, backOut: inFlight + backOut, store, transaction)
                return
            case .completeWave(let index):
                try await rollouts.mark(wave: index, of: id, .completed, in: transaction)
                run.waves[index].completedAt = run.now
                run.events.append(run.waveEvent(RolloutWaveCompleted.self, index, try await store.counts(of: id, wave: index, in: transaction).wave))
            case .openWave(let index):
                try await rollouts.mark(wave: index, of: id, .opened, in: transaction)
                run.record.currentWave = index
                run.record.wakeAt = nil
                run.waves[index].openedAt = run.now
                run.replace(try await store.targets(of: id, workingOn: index, in: transaction))
                run.events.append(run.waveEvent(RolloutWaveOpened.self, index, try await store.counts(of: id, wave: index, in: transaction).wave))
            case .complete:
                run.record.state = .completed
                run.record.wakeAt = nil
                run.events.append(RolloutCompleted(
                    releaseKey: run.record.releaseKey, rolloutId: run.idText,
                    counts: try await store.counts(of: id, wave: index(run), in: transaction).byState))
                run.finishStep(succeeded: true, detail: "rolled out to \(run.targets.count) target(s)")
                return
            }
        }
    }

    /// Halts the rollout and marks `backOut` (in order) to be backed out.
    func halt(
        _ run: inout PassState, reason: String, backOut: [String], _ store: TargetStore, _ transaction: PostgresTransaction
    ) async throws {
        try await store.markForBackout(run.record.id, keys: backOut, in: transaction)
        var next = (run.targets.compactMap(\.backoutSeq).max() ?? 0) + 1
        for key in backOut {
            guard let index = run.indexByKey[key], run.targets[index].backoutSeq == nil else { continue }
            run.targets[index].backoutSeq = next
            next += 1
        }
        run.record.state = .backingOut
        run.record.reason = String(reason.prefix(2000))
        run.events.append(RolloutHalted(
            releaseKey: run.record.releaseKey, rolloutId: run.idText, reason: reason,
            counts: try await store.counts(of: run.record.id, wave: index(run), in: transaction).byState))
        run.changed = true
    }

    /// Backouts: start them in order, and end the rollout when they are all settled.
    private func backOut(_ run: inout PassState, _ store: TargetStore, _ transaction: PostgresTransaction) async throws {
        switch BackoutRules.next(run.targets, window: run.record.window) {
        case .idle:
            return
        case .start(let keys):
            try await dispatch(keys, action: .backout, &run, store, transaction)
        case .finished(let failed) where failed.isEmpty:
            run.record.state = .backedOut
            let reason = run.record.reason ?? "backed out"
            run.events.append(RolloutBackedOut(
                releaseKey: run.record.releaseKey, rolloutId: run.idText, reason: reason,
                counts: try await store.counts(of: run.record.id, wave: index(run), in: transaction).byState))
            run.finishStep(succeeded: false, detail: "backed out: \(reason)")
        case .finished(let failed):
            run.record.state = .halted
            run.record.reason = String("the backout failed on \(failed.count) target(s) (\(failed.prefix(5).joined(separator: ", "))): retry them, or abort".prefix(2000))
            run.events.append(RolloutHalted(
                releaseKey: run.record.releaseKey, rolloutId: run.idText, reason: run.record.reason,
                counts: try await store.counts(of: run.record.id, wave: index(run), in: transaction).byState))
        }
    }

    private func index(_ run: PassState) -> Int { run.record.currentWave }

    /// Dispatches `keys` as new attempts with `action`, routed by site.
    func dispatch(
        _ keys: [String], action: DeployJobAction, _ run: inout PassState, _ store: TargetStore, _ transaction: PostgresTransaction
    ) async throws {
        guard !keys.isEmpty else { return }
        let pools = keys.map { key in run.target(key).flatMap { run.directory.pool(for: $0.site, now: run.now) } ?? WorkerSettings.defaultPool }
        let attempts = try await store.dispatch(run.record.id, keys: keys, pools: pools, action: action, in: transaction)
        for (key, pool) in zip(keys, pools) {
            guard let attempt = attempts[key], let index = run.indexByKey[key] else { continue }
            run.targets[index].state = .running
            run.targets[index].action = action
            run.targets[index].attempts = attempt
            run.targets[index].leaseUntil = nil
            run.jobs.append((DeployJob(rolloutId: run.idText, taskKey: key, action: action, attempt: attempt), pool))
        }
        run.changed = true
    }
}
