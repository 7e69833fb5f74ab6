import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// Sends what is due, on every replica: claims due deliveries (`FOR UPDATE SKIP LOCKED`, so
/// replicas never take the same row), sends each with at most `concurrency` at once and
/// `EndpointGate.limit` per endpoint, and records every outcome in its own transaction.
/// A failure after the last retry is recorded and announced (`notification.delivery_failed`)
/// in the same transaction. Nothing is kept in memory that a crash could lose: a claimed
/// row whose replica died is claimed again when its lease expires.
public struct DeliveryDispatcher: Service {
    public struct Settings: Sendable {
        public var concurrency: Int
        /// Longer than the longest send (the senders' timeout), so a live send is not retaken.
        public var lease: Duration
        public var pollInterval: Duration
        public var retry: DeliveryRetryPolicy
        public var busyEndpointDelay: Duration

        public init(
            concurrency: Int = 64, lease: Duration = .seconds(60), pollInterval: Duration = .seconds(1),
            retry: DeliveryRetryPolicy = DeliveryRetryPolicy(), busyEndpointDelay: Duration = .seconds(1)
        ) {
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.pollInterval = pollInterval
            self.retry = retry
            self.busyEndpointDelay = busyEndpointDelay
        }
    }

    let settings: Settings
    let pool: PostgresPool
    let store: DeliveryStore
    let outbox: Outbox
    let sender: any NotificationSender
    let gate: EndpointGate
    let wake: WakeSignal
    let logger: Logger

    public init(
        settings: Settings, schema: String, pool: PostgresPool, sender: any NotificationSender, gate: EndpointGate,
        wake: WakeSignal, logger: Logger
    ) {
        self.settings = settings
        self.pool = pool
        self.store = DeliveryStore(schema: schema)
        self.outbox = Outbox(schema: schema)
        self.sender = sender
        self.gate = gate
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let inFlight = InFlightCount()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let room = settings.concurrency - (await inFlight.value)
                    var claimed: [DeliveryStore.Claimed] = []
                    if room > 0 {
                        do {
                            let slots = await gate.slots()
                            claimed = try await pool.withTransaction {
                                try await store.claimDue(limit: room, lease: settings.lease, slots: slots, in: $0)
                            }
                        } catch {
                            logger.warning("claiming deliveries failed", metadata: ["error": "\(error)"])
                        }
                    }
                    for delivery in claimed {
                        await inFlight.add(1)
                        group.addTask {
                            await attempt(delivery)
                            await inFlight.add(-1)
                            await wake.signal()
                        }
                    }
                    // A full claim may have left more due: look again at once.
                    if room > 0, claimed.count == room { continue }
                    // Otherwise until a send finishes, a delivery is recorded (NOTIFY), or the poll.
                    await wake.wait(timeout: settings.pollInterval)
                }
            }
        }
    }

    /// One attempt at one delivery: the endpoint's slot, the send, the outcome recorded.
    func attempt(_ delivery: DeliveryStore.Claimed) async {
        let endpoint = EndpointGate.endpoint(channel: delivery.channel, address: delivery.address)
        guard await gate.tryEnter(endpoint) else {
            await recordSafely(delivery) { try await store.putBack(id: delivery.id, attempt: delivery.attempt, after: settings.busyEndpointDelay, in: $0) }
            return
        }
        let result = await sender.send(OutboundMessage(delivery))
        await gate.leave(endpoint)
        let outcome = settings.retry.outcome(after: delivery.attempt, result, unit: Double.random(in: 0..<1))
        await recordSafely(delivery) { transaction in
            guard try await store.record(outcome, id: delivery.id, attempt: delivery.attempt, in: transaction) else { return }
            if case .failed(let reason) = outcome {
                let event = NotificationDeliveryFailed(
                    deliveryId: delivery.id.uuidString.lowercased(), releaseKey: delivery.releaseKey, recipient: delivery.recipient,
                    channel: delivery.channel, attempts: delivery.attempt, reason: reason)
                try await outbox.publish(
                    Envelope(event, correlationId: delivery.releaseKey ?? "notify", actor: "shipboard-notify", causationId: delivery.eventId),
                    in: transaction)
            }
        }
        switch outcome {
        case .sent: break
        case .retry(_, let reason):
            logger.info("delivery will be retried", metadata: Self.metadata(delivery, reason))
        case .failed(let reason):
            logger.warning("delivery failed", metadata: Self.metadata(delivery, reason))
        }
    }

    /// Records an outcome; if the database is away, the lease expires and the row is tried again.
    private func recordSafely(_ delivery: DeliveryStore.Claimed, _ body: (PostgresTransaction) async throws -> Void) async {
        do {
            try await pool.withTransaction(retries: 3) { try await body($0) }
        } catch {
            logger.warning("recording a delivery outcome failed; it is retried when its lease expires",
                           metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    static func metadata(_ delivery: DeliveryStore.Claimed, _ reason: String) -> Logger.Metadata {
        ["delivery": "\(delivery.id)", "channel": "\(delivery.channel.rawValue)", "attempt": "\(delivery.attempt)", "reason": "\(reason)"]
    }
}

/// Sends running on this replica.
actor InFlightCount {
    private(set) var value = 0
    func add(_ delta: Int) { value += delta }
}

extension OutboundMessage {
    init(_ delivery: DeliveryStore.Claimed) {
        self.init(
            deliveryId: delivery.id, channel: delivery.channel, address: delivery.address, recipient: delivery.recipient,
            subject: delivery.subject, text: delivery.text, html: delivery.html, eventType: delivery.eventType,
            eventId: delivery.eventId, releaseKey: delivery.releaseKey, occurredAt: delivery.createdAt)
    }
}
