import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// Sends what is due, on every replica:
///
/// - claims due deliveries in batches (`FOR UPDATE SKIP LOCKED`, so replicas never take the
///   same row; committed as `sending` with a lease before anything is sent), as many as its
///   `EndpointQueues` want: per endpoint, its free slots plus a queue as deep as the slots;
/// - sends with at most `endpointLimit` at once per endpoint and `concurrency` in all; a send
///   that ends starts the next one waiting, and asks for a claim only when its endpoint's
///   queue runs low (a claim per batch, not per send);
/// - records outcomes in batches (`OutcomeRecorder`), each failure after the last retry with
///   its `notification.delivery_failed` in the same commit.
///
/// Nothing is kept in memory that a crash could lose: a claimed row whose replica died is
/// claimed again when its lease expires, and sent again under the same id (the receivers'
/// idempotency key).
public struct DeliveryDispatcher: Service {
    public struct Settings: Sendable {
        public var concurrency: Int
        /// Sends at once to one endpoint; as many more per endpoint wait claimed.
        public var endpointLimit: Int
        /// Longer than the longest send (the senders' timeout) twice over: a delivery waits at
        /// most half the lease for its slot, then its send has the other half.
        public var lease: Duration
        public var pollInterval: Duration
        public var retry: DeliveryRetryPolicy

        public init(
            concurrency: Int = 64, endpointLimit: Int = 8, lease: Duration = .seconds(60), pollInterval: Duration = .seconds(1),
            retry: DeliveryRetryPolicy = DeliveryRetryPolicy()
        ) {
            self.concurrency = max(1, concurrency)
            self.endpointLimit = max(1, endpointLimit)
            self.lease = lease
            self.pollInterval = pollInterval
            self.retry = retry
        }
    }

    let settings: Settings
    let pool: PostgresPool
    let store: DeliveryStore
    let sender: any NotificationSender
    let wake: WakeSignal
    let logger: Logger
    let schema: String

    public init(
        settings: Settings, schema: String, pool: PostgresPool, sender: any NotificationSender, wake: WakeSignal, logger: Logger
    ) {
        self.settings = settings
        self.schema = schema
        self.pool = pool
        self.store = DeliveryStore(schema: schema)
        self.sender = sender
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let queues = EndpointQueues(
            limit: settings.endpointLimit, depth: settings.endpointLimit, total: settings.concurrency, maxWait: settings.lease / 2)
        let recorder = OutcomeRecorder(schema: schema, pool: pool, logger: logger)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let (limit, slots) = await queues.wants()
                    var claimed: [DeliveryStore.Claimed] = []
                    var asked: EndpointQueues.Wants?
                    // While outcomes wait for the database, claiming could take back this
                    // replica's own expired leases and send them again.
                    if limit > 0, !(await recorder.isBehind) {
                        do {
                            claimed = try await pool.withTransaction {
                                try await store.claimDue(limit: limit, lease: settings.lease, slots: slots, in: $0)
                            }
                            asked = (limit, slots)
                        } catch {
                            logger.warning("claiming deliveries failed", metadata: ["error": "\(error)"])
                        }
                    }
                    let (started, stale) = await queues.admit(claimed, asked: asked, at: .now)
                    await putBack(stale)
                    for delivery in started {
                        group.addTask { await sendInTurn(delivery, queues: queues, recorder: recorder) }
                    }
                    // A full claim may have left more due: look again at once.
                    if limit > 0, claimed.count == limit { continue }
                    // Otherwise until a queue runs low, a delivery is recorded (NOTIFY), or the poll.
                    await wake.wait(timeout: settings.pollInterval)
                }
            }
        }
        // Not this (cancelled) task: the last outcomes must still be written, and what waited
        // for a slot is given back rather than left to its lease.
        await putBack(await queues.takeWaiting())
        await Task { await recorder.waitUntilDrained() }.value
    }

    /// Sends `first`, then whatever its slot is given next, until no delivery waits for one.
    func sendInTurn(_ first: DeliveryStore.Claimed, queues: EndpointQueues, recorder: OutcomeRecorder) async {
        var delivery = first
        while true {
            let outcome = await attempt(delivery)
            await recorder.add(delivery, outcome)
            let (next, refill, stale) = await queues.finished(delivery.endpoint, at: .now)
            await putBack(stale)
            if refill { await wake.signal() }
            guard let next, !Task.isCancelled else {
                if let next { await putBack([next]) }
                return
            }
            delivery = next
        }
    }

    /// One attempt at one delivery: the send, and what to record.
    func attempt(_ delivery: DeliveryStore.Claimed) async -> DeliveryStore.Outcome {
        let result = await sender.send(OutboundMessage(delivery))
        let outcome = settings.retry.outcome(after: delivery.attempt, result, unit: Double.random(in: 0..<1))
        switch outcome {
        case .sent: break
        case .retry(_, let reason):
            logger.info("delivery will be retried", metadata: Self.metadata(delivery, reason))
        case .failed(let reason):
            logger.warning("delivery failed", metadata: Self.metadata(delivery, reason))
        }
        return outcome
    }

    /// Gives back deliveries that were claimed but not sent; if the database is away, their
    /// leases expire and they are claimed again. In a task of its own: the caller may be a
    /// cancelled (stopping) one, whose pool waits would fail at once.
    private func putBack(_ deliveries: [DeliveryStore.Claimed]) async {
        guard !deliveries.isEmpty else { return }
        do {
            try await Task {
                try await pool.withTransaction(retries: 3) {
                    try await store.putBack(deliveries.map { ($0.id, $0.attempt) }, after: .zero, in: $0)
                }
            }.value
        } catch {
            logger.warning("giving back unsent deliveries failed; they are claimed again when their leases expire",
                           metadata: ["deliveries": "\(deliveries.count)", "error": "\(error)"])
        }
    }

    static func metadata(_ delivery: DeliveryStore.Claimed, _ reason: String) -> Logger.Metadata {
        ["delivery": "\(delivery.id)", "channel": "\(delivery.channel.rawValue)", "attempt": "\(delivery.attempt)", "reason": "\(reason)"]
    }
}

extension OutboundMessage {
    init(_ delivery: DeliveryStore.Claimed) {
        self.init(
            deliveryId: delivery.id, channel: delivery.channel, address: delivery.address, recipient: delivery.recipient,
            subject: delivery.subject, text: delivery.text, html: delivery.html, eventType: delivery.eventType,
            eventId: delivery.eventId, releaseKey: delivery.releaseKey, occurredAt: delivery.createdAt)
    }
}
