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
/// - Order: rows go out in `seq` order per correlation id (which the outbox makes commit
///   order). A relay takes a transaction-scoped advisory lock per correlation id before taking
///   its rows, so two replicas never publish rows of one release concurrently (and so never
///   out of order); rows are also locked `FOR UPDATE SKIP LOCKED`, so no row is taken by two replicas.
/// - Publishing happens inside the transaction that holds the row locks, with batched
///   confirms; rows are marked only after the broker confirmed them. A batch holds at most
///   `batchSize` rows and `maxBatchBytes` of bodies (always at least one row). Happy path per
///   batch: one claim query, one publish, one mark.
/// - Outages are not the rows' fault: when the broker is unreachable, blocked or does not
///   confirm in time, or the database fails, the transaction rolls back, the rows stay pending
///   and the relay backs off; an outage is logged once when it starts and once when it ends.
/// - Poison rows: a row that cannot be published because of what it holds (it breaks the
///   limits, or the broker refuses it: invalid argument, nack, returned, channel closed over
///   it) is found by publishing the failed batch's rows one by one. Each such failure is an
///   attempt (`attempts`, `last_error`, retried after `attemptBackoff`, doubling); a row that
///   breaks the limits or that the client cannot encode, or one that reaches `maxAttempts`, is
///   marked failed. Later rows of its
///   correlation id wait behind it (order); every other correlation id goes on. An operator
///   lists, retries or discards failed rows (`OutboxAdministration`, `shipboard-admin outbox`).
/// - Metrics (`OutboxMetrics`): pending rows, age of the oldest, failed rows, refreshed every
///   `metricsInterval` (not per batch).
/// - After a wake-up it waits `coalescing` (5 ms) so that, under load, one batch carries
///   many rows: far fewer relay transactions for at most that much added latency.
/// - At-least-once: a crash between the broker's confirm and COMMIT republishes the batch, as
///   does finding a poison row (rows before it went out with the failed batch and go out again
///   one by one); consumers deduplicate by message id (inbox).
public struct OutboxRelay: Service {
    public let outbox: Outbox
    let pool: PostgresPool
    let listenerConfiguration: PostgresConfiguration
    let amqp: AMQPClient
    let batchSize: Int
    let maxBatchBytes: Int
    let pollInterval: Duration
    let retention: Duration
    let coalescing: Duration
    let maxAttempts: Int
    let attemptBackoff: Duration
    let publishTimeout: Duration
    let metricsInterval: Duration
    let logger: Logger
    let metrics: OutboxMetrics

    /// - Parameters:
    ///   - maxBatchBytes: bodies per batch (default 4 MiB); a larger single row goes alone.
    ///   - maxAttempts: failed publishes of a row (its own fault) before it is marked failed.
    ///   - attemptBackoff: wait before a row's second attempt; doubles per attempt.
    ///   - metricsFactory: where the gauges go (default: the process's `MetricsSystem`).
    public init(
        outbox: Outbox, pool: PostgresPool, amqp: AMQPClient, batchSize: Int = 500,
        pollInterval: Duration = .seconds(1), retention: Duration = .seconds(7 * 24 * 3600),
        coalescing: Duration = .milliseconds(5), maxBatchBytes: Int = 4 * 1024 * 1024, maxAttempts: Int = 3,
        attemptBackoff: Duration = .seconds(1), publishTimeout: Duration = .seconds(5),
        metricsInterval: Duration = .seconds(5), metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger = Logger(label: "shipboard.outbox")
    ) {
        self.outbox = outbox
        self.pool = pool
        self.listenerConfiguration = pool.configuration
        self.amqp = amqp
        self.batchSize = max(1, batchSize)
        self.maxBatchBytes = max(1, maxBatchBytes)
        self.pollInterval = pollInterval
        self.retention = retention
        self.coalescing = coalescing
        self.maxAttempts = max(1, maxAttempts)
        self.attemptBackoff = attemptBackoff
        self.publishTimeout = publishTimeout
        self.metricsInterval = metricsInterval
        var logger = logger
        logger[metadataKey: "outbox.schema"] = "\(outbox.schema)"
        self.logger = logger
        self.metrics = OutboxMetrics(schema: outbox.schema, factory: metricsFactory)
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
        let gauges = Task { await refreshMetricsPeriodically() }
        defer { gauges.cancel() }
        await cancelWhenGracefulShutdown {
            var outage = OutboxRelayOutage()
            var lastPrune = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                do {
                    while try await relayOnce().isFull && !Task.isCancelled {}
                    outage.ended(logger: logger)
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
                    let delay = outage.failed(error, logger: logger)
                    try? await Task.sleep(for: delay)
                }
            }
        }
        await listener.stop()
    }

    /// Reads the outbox's figures and records them in the gauges; returns them.
    @discardableResult
    public func refreshMetrics() async throws -> OutboxStatistics {
        let statistics = try await OutboxStatistics.read(schema: outbox.schema, pool: pool)
        metrics.record(statistics)
        return statistics
    }

    private func refreshMetricsPeriodically() async {
        while !Task.isCancelled {
            do {
                try await refreshMetrics()
            } catch {
                // The relay's own loop reports the outage; stale gauges are the lesser evil.
                logger.debug("outbox metrics not refreshed", metadata: ["outbox.error": "\(error)"])
            }
            try? await Task.sleep(for: metricsInterval)
        }
    }

    /// Deletes rows published longer ago than the retention (failed and discarded rows stay).
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
