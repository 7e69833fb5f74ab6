import AMQP
import Contracts
import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// Publishes pending outbox rows and marks them published.
///
/// - Wakes on NOTIFY from committing transactions, and polls as a fallback (a notification
///   lost while the listener reconnects costs at most one poll interval).
/// - Order: rows go out in `seq` order per correlation id. A relay takes a transaction-scoped
///   advisory lock per correlation id before taking its rows, so two replicas never publish
///   rows of one release concurrently (and so never out of order); rows are also locked
///   `FOR UPDATE SKIP LOCKED`, so no row is taken by two replicas.
/// - Publishing happens inside the transaction that holds the row locks, with batched
///   confirms; rows are marked only after the broker confirmed them. If the broker is down,
///   the transaction rolls back and the rows stay pending until it is back.
/// - After a wake-up it waits `coalescing` (5 ms) so that, under load, one batch carries
///   many rows: far fewer relay transactions for at most that much added latency.
/// - At-least-once: a crash between the broker's confirm and COMMIT republishes the batch;
///   consumers deduplicate by message id (inbox).
public struct OutboxRelay: Service {
    public let outbox: Outbox
    let pool: PostgresPool
    let listenerConfiguration: PostgresConfiguration
    let amqp: AMQPClient
    let batchSize: Int
    let pollInterval: Duration
    let retention: Duration
    let coalescing: Duration
    let logger: Logger
    private let published: Counter

    public init(
        outbox: Outbox, pool: PostgresPool, amqp: AMQPClient, batchSize: Int = 500,
        pollInterval: Duration = .seconds(1), retention: Duration = .seconds(7 * 24 * 3600),
        coalescing: Duration = .milliseconds(5), logger: Logger = Logger(label: "shipboard.outbox")
    ) {
        self.outbox = outbox
        self.pool = pool
        self.listenerConfiguration = pool.configuration
        self.amqp = amqp
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.retention = retention
        self.coalescing = coalescing
        self.logger = logger
        self.published = Counter(label: "shipboard_outbox_published_total", dimensions: [("schema", outbox.schema)])
    }

    /// Relays until cancelled or gracefully shut down.
    public func run() async throws {
        let wake = WakeSignal()
        let listener = PostgresListener(configuration: listenerConfiguration, logger: logger)
        let notifications = try await listener.listen(outbox.channel)
        let forwarder = Task {
            for await _ in notifications { await wake.signal() }
        }
        defer { forwarder.cancel() }
        await cancelWhenGracefulShutdown {
            var failures = 0
            var lastPrune = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                do {
                    while try await relayBatch() == batchSize && !Task.isCancelled {}
                    failures = 0
                    if ContinuousClock.now - lastPrune > .seconds(600) {
                        lastPrune = .now
                        let pruned = try await prune()
                        if pruned > 0 { logger.info("pruned published outbox rows", metadata: ["outbox.pruned": "\(pruned)"]) }
                    }
                    await wake.wait(timeout: pollInterval)
                    // Under load every commit notifies; a short pause lets one batch carry
                    // many rows instead of one relay transaction per commit.
                    try? await Task.sleep(for: coalescing)
                } catch {
                    failures += 1
                    let delay = min(Duration.milliseconds(100) * (1 << min(failures, 6)), .seconds(5))
                    logger.log(
                        level: failures == 1 ? .warning : .debug, "outbox relay failed; rows stay pending",
                        metadata: ["outbox.error": "\(error)", "outbox.failures": "\(failures)"])
                    try? await Task.sleep(for: delay)
                }
            }
        }
        await listener.stop()
    }

    /// Publishes up to `batchSize` pending rows; returns how many went out.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let count = try await pool.withTransaction { transaction in
            let rows = try await transaction.query(
                """
                WITH oldest AS (
                    -- Bounded scan: the oldest pending rows decide which releases go next.
                    SELECT correlation_id, seq FROM \(identifier: outbox.schema).outbox
                    WHERE published_at IS NULL ORDER BY seq LIMIT \(batchSize)
                ), candidates AS (
                    SELECT correlation_id, min(seq) AS first_seq FROM oldest
                    GROUP BY correlation_id ORDER BY first_seq
                ), claimed AS MATERIALIZED (
                    SELECT correlation_id FROM candidates
                    WHERE pg_try_advisory_xact_lock(hashtextextended(\(outbox.schema) || '/' || correlation_id, 0))
                )
                SELECT o.seq, o.message_id, o.exchange, o.routing_key, o.message_type, o.correlation_id, o.headers::text, o.body
                FROM \(identifier: outbox.schema).outbox o
                WHERE o.published_at IS NULL AND o.correlation_id IN (SELECT correlation_id FROM claimed)
                ORDER BY o.seq
                LIMIT \(batchSize)
                FOR UPDATE OF o SKIP LOCKED
                """, label: "claim pending rows")
            guard !rows.isEmpty else { return 0 }
            var sequence: [Int64] = []
            var messages: [AMQPMessage] = []
            for row in rows {
                let (seq, id, exchange, routingKey, type, correlation, headersJSON, body) =
                    try row.decode((Int64, UUID, String, String, String, String, String, Data).self)
                let headers = headersJSON == "{}"
                    ? [:] : (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
                sequence.append(seq)
                messages.append(AMQPMessage(
                    exchange: exchange, routingKey: routingKey, body: body,
                    properties: AMQPProperties(
                        messageID: id.uuidString.lowercased(), correlationID: correlation, type: type,
                        contentType: "application/json", timestamp: Date(),
                        headers: headers.mapValues { .string($0) })))
            }
            try await amqp.publish(messages, timeout: .seconds(5))
            // The ids are integers from this query, so the array literal is safe to build.
            let list = "{" + sequence.map(String.init).joined(separator: ",") + "}"
            try await transaction.query(
                "UPDATE \(identifier: outbox.schema).outbox SET published_at = now() WHERE seq = ANY(\(list)::bigint[])",
                label: "mark published")
            return messages.count
        }
        if count > 0 { published.increment(by: count) }
        return count
    }

    /// Deletes rows published longer ago than the retention.
    @discardableResult
    public func prune() async throws -> Int {
        let seconds = Int(retention.components.seconds)
        let result = try await pool.query(
            """
            DELETE FROM \(identifier: outbox.schema).outbox
            WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => \(seconds))
            """)
        return result.affectedRows ?? 0
    }
}
