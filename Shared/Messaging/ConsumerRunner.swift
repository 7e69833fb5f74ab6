import AMQP
import Contracts
import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// Consumes one work queue: decode, handle in a transaction with the inbox insert,
/// commit, then ack. Never acks before the effect is committed.
///
/// - Order: events and fire-and-forget commands of one correlation id (a lane) are handled
///   one at a time, in delivery order, also across retries; different lanes run in parallel
///   (`concurrency` workers). The order holds per consumer: replicas on one queue compete,
///   and a redelivery (after a crash or a lost connection) may come after later messages of
///   its lane. Requests (request/reply commands) are not ordered: each sender waits for its
///   reply before it sends what depends on it, so requests in flight together have no order
///   to keep, and they run in parallel.
/// - A message that cannot be decoded, or has no handler for its type and version, is
///   dead-lettered at once with the reason in `x-shipboard-error`: the JSON path and what is
///   wrong there, never the value.
/// - A handler error (or a statement timeout) is the message's fault: it is retried in place
///   after the policy's delay (its lane waits; the worker does not) up to
///   `retry.maxAttempts`, then dead-lettered with the last error and its attempt count.
/// - Not the message's fault, not counted: a serialization failure or deadlock reruns the
///   transaction at once (up to `retry.conflictRetries` times); an unavailable database
///   pauses the consumer, holds what it received, reports not ready, and resumes when a
///   probe gets through (see `ConsumerAvailability`); a delivery whose connection or channel
///   has gone is dropped before handling (the broker redelivers it).
/// - A `CommandError` thrown by a command handler is an answer, not a failure: it is sent
///   as the reply and recorded in the inbox, and nothing is retried.
/// - Events that arrive together are handled in batches (up to `batchSize`) in one
///   transaction: one inbox insert claims them all, each handler runs in turn, one COMMIT,
///   then each is acked. If the batch fails, every message goes back to its lane to be
///   handled on its own, so failures, retries and dead letters stay per message. Commands
///   (which are answered) are always handled one by one.
/// - Inbox rows older than `inboxRetention` (7 days) are pruned every 10 minutes: the
///   window in which a duplicate is still recognised.
/// - Graceful shutdown: stop taking messages, finish those in flight, then return; messages
///   waiting for a retry or for the database are left to the broker to redeliver.
public struct ConsumerRunner: Service {
    public let queue: String
    let handlers: MessageHandlers
    let inbox: Inbox
    let outbox: Outbox
    let pool: PostgresPool
    let amqp: AMQPClient
    let prefetch: UInt16
    let concurrency: Int
    let retry: RetryPolicy
    let inboxRetention: Duration
    let logger: Logger
    let outcomes: @Sendable (String) -> Counter
    let lanes: DeliveryLanes<LaneItem>
    let availability: ConsumerAvailability

    /// - Parameters:
    ///   - schema: the service's schema (its `inbox` and `outbox` tables).
    ///   - consumerName: inbox key; defaults to the queue name.
    public init(
        queue: String, schema: String, handlers: MessageHandlers, pool: PostgresPool, amqp: AMQPClient,
        consumerName: String? = nil, prefetch: UInt16 = 100, concurrency: Int = 8, batchSize: Int = 32,
        retry: RetryPolicy = .standard, inboxRetention: Duration = .seconds(7 * 24 * 3600),
        logger: Logger = Logger(label: "shipboard.consumer")
    ) {
        self.queue = queue
        self.handlers = handlers
        self.inbox = Inbox(schema: schema, consumer: consumerName ?? queue)
        self.outbox = Outbox(schema: schema)
        self.pool = pool
        self.amqp = amqp
        self.prefetch = prefetch
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.inboxRetention = inboxRetention
        var logger = logger
        logger[metadataKey: "queue"] = "\(queue)"
        self.logger = logger
        self.lanes = DeliveryLanes(maxBatch: batchSize)
        self.availability = ConsumerAvailability(
            lanes: lanes, probe: { (try? await pool.query("SELECT 1")) != nil }, logger: logger)
        // Counters are created once: the metrics factory takes a lock per creation.
        let names = ["handled", "duplicate", "refused", "expired", "retried", "conflict", "held", "stale", "dead_lettered"]
        let counters = Dictionary(uniqueKeysWithValues: names.map {
            ($0, Counter(label: "shipboard_messages_total", dimensions: [("queue", queue), ("outcome", $0)]))
        })
        self.outcomes = { outcome in
            counters[outcome] ?? Counter(label: "shipboard_messages_total", dimensions: [("queue", queue), ("outcome", outcome)])
        }
    }

    /// Readiness for the service's `/health/ready`: up while the runner consumes and its
    /// database is available (down during an outage, while it holds its messages).
    public var readiness: @Sendable () async -> Bool {
        { [availability] in await availability.isReady }
    }

    public func run() async throws {
        let consumer = try await amqp.consume(queue: queue, prefetch: prefetch, timeout: .seconds(60))
        await availability.control(pause: { await consumer.pause() }, resume: { await consumer.resume() })
        await availability.setConsuming(true)
        logger.info("consuming", metadata: ["handlers": "\(handlers.handledTypes.joined(separator: ","))"])
        // Inbox rows only need to outlive any redelivery or republish: prune old ones.
        let pruning = Task { [inbox, pool, inboxRetention, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(600))
                guard !Task.isCancelled else { return }
                do {
                    let pruned = try await inbox.prune(olderThan: inboxRetention, pool: pool)
                    if pruned > 0 { logger.info("pruned inbox rows", metadata: ["inbox.pruned": "\(pruned)"]) }
                } catch {
                    logger.warning("inbox pruning failed", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { pruning.cancel() }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        while true {
                            let batch = await lanes.take()
                            if batch.isEmpty { return }
                            await work(batch)
                        }
                    }
                }
                var sequence: UInt64 = 0
                do {
                    for try await delivery in consumer {
                        sequence += 1
                        await lanes.put(LaneItem(delivery: delivery, sequence: sequence))
                    }
                } catch {
                    logger.warning("delivery stream failed", metadata: ["error": "\(error)"])
                }
                // The stream ended (shutdown or cancellation): finish what is in hand.
                await availability.setConsuming(false)
                await availability.stop()
                await lanes.finish()
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.cancel() }
        }
        await consumer.cancel()
        logger.info("stopped consuming")
    }

    /// Handles what a worker took from the lanes and tells the lanes how it ended.
    private func work(_ batch: [LaneItem]) async {
        if batch.count == 1 {
            await conclude(batch[0], await process(batch[0]))
        } else {
            await processBatch(batch)
        }
    }

    /// How handling one message ended, for its lane.
    enum Disposition {
        /// Settled (acked or dead-lettered), or dropped unacknowledged (stale, shutdown).
        case done
        /// Failed by its own fault: handle it again after the delay, as the next attempt.
        case retry(after: Duration)
        /// Not its fault: put it back at the head of its lane, unchanged.
        case wait(HandlingFailure, any Error)
    }

    func conclude(_ item: LaneItem, _ disposition: Disposition) async {
        switch disposition {
        case .done:
            await lanes.done([item])
        case .retry(let delay):
            var next = item
            next.attempt += 1
            next.alone = true
            await lanes.retry([next], after: delay)
        case .wait(let failure, let error):
            await hold([item], failure, error)
        }
    }

    /// Puts messages back unharmed: until the database is back, or shortly after a broker
    /// hiccup (the deliveries are then most likely stale and get dropped).
    func hold(_ items: [LaneItem], _ failure: HandlingFailure, _ error: any Error) async {
        outcomes("held").increment(by: items.count)
        switch failure {
        case .databaseUnavailable:
            await availability.report(error)
            await lanes.putBack(items)
        default:
            await lanes.retry(items, after: .milliseconds(500))
        }
    }

    static func commandError(in error: any Error) -> CommandError? {
        if let error = error as? CommandError { return error }
        if let error = error as? PostgresTransactionError { return error.underlying as? CommandError }
        return nil
    }
}
