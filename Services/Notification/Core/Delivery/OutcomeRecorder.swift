import Contracts
import Foundation
import Logging
import Messaging
import Postgres

/// Records the dispatcher's outcomes in batches: whatever ended while the last batch was being
/// committed goes in the next one (one statement, one commit), instead of a transaction per
/// send. A failure after the last retry is announced (`notification.delivery_failed`) in the
/// commit that records it.
///
/// An outcome is kept until it is recorded: while the database is away the batch is tried
/// again (every `retryInterval`), and `isBehind` tells the dispatcher not to claim meanwhile,
/// so its own expired leases are not claimed and sent again before their outcomes land. Only
/// a replica that dies holding outcomes leaves their deliveries to be sent again (same id)
/// when the leases expire.
public actor OutcomeRecorder {
    public struct Entry: Sendable {
        let delivery: DeliveryStore.Claimed
        let outcome: DeliveryStore.Outcome
    }

    let pool: PostgresPool
    let store: DeliveryStore
    let outbox: Outbox
    let retryInterval: Duration
    let logger: Logger
    private var pending: [Entry] = []
    private var writing = false
    private var failing = false
    private var drained: [CheckedContinuation<Void, Never>] = []
    /// Outcomes per statement (arrays of this many are bound as parameters).
    static let batchLimit = 500

    public init(schema: String, pool: PostgresPool, retryInterval: Duration = .milliseconds(500), logger: Logger) {
        self.pool = pool
        self.store = DeliveryStore(schema: schema)
        self.outbox = Outbox(schema: schema)
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// Outcomes waiting because the last write failed.
    public var isBehind: Bool { failing && !pending.isEmpty }

    public func add(_ delivery: DeliveryStore.Claimed, _ outcome: DeliveryStore.Outcome) {
        pending.append(Entry(delivery: delivery, outcome: outcome))
        guard !writing else { return }
        writing = true
        // Not the caller's task: a shutdown cancels the senders, and the outcomes must still land.
        Task { await drain() }
    }

    /// Returns once everything added so far is recorded (or, after a failure, tried again
    /// until it is).
    public func waitUntilDrained() async {
        guard writing else { return }
        await withCheckedContinuation { drained.append($0) }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.batchLimit))
            pending.removeFirst(batch.count)
            if await write(batch) {
                failing = false
            } else {
                failing = true
                pending = batch + pending
                try? await Task.sleep(for: retryInterval)
            }
        }
        writing = false
        let waiters = drained
        drained = []
        for waiter in waiters { waiter.resume() }
    }

    private func write(_ batch: [Entry]) async -> Bool {
        do {
            try await pool.withTransaction(retries: 3) { transaction in
                let recorded = try await store.record(
                    batch.map { DeliveryStore.AttemptOutcome(id: $0.delivery.id, attempt: $0.delivery.attempt, outcome: $0.outcome) },
                    in: transaction)
                var alerts: [any OutboxEventEnvelope] = []
                for entry in batch where recorded.contains(entry.delivery.id) {
                    guard case .failed(let reason) = entry.outcome else { continue }
                    let delivery = entry.delivery
                    let event = NotificationDeliveryFailed(
                        deliveryId: delivery.id.uuidString.lowercased(), releaseKey: delivery.releaseKey,
                        recipient: delivery.recipient, channel: delivery.channel, attempts: delivery.attempt, reason: reason)
                    alerts.append(Envelope(
                        event, correlationId: delivery.releaseKey ?? "notify", actor: "shipboard-notify",
                        causationId: delivery.eventId))
                }
                if !alerts.isEmpty { try await outbox.publish(alerts, in: transaction) }
            }
            return true
        } catch {
            if !failing {
                logger.warning(
                    "recording delivery outcomes failed; they are kept and tried again",
                    metadata: ["outcomes": "\(batch.count)", "error": "\(error)"])
            }
            return false
        }
    }
}
