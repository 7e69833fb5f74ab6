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
/// - A message that cannot be decoded, or has no handler for its type and version, is
///   dead-lettered at once with the reason in `x-shipboard-error`.
/// - A handler error sends the message to a delay queue (exponential backoff) with its
///   attempt count, up to `retry.maxAttempts`, then dead-letters it with the last error.
/// - A `CommandError` thrown by a command handler is an answer, not a failure: it is sent
///   as the reply and recorded in the inbox, and nothing is retried.
/// - Events that arrive together are handled in batches (up to `batchSize`) in one
///   transaction: one inbox insert claims them all, each handler runs in turn, one COMMIT,
///   then each is acked. If any handler in a batch fails, the batch rolls back and every
///   message is handled again on its own, so failures, retries and dead letters stay per
///   message. Commands (which are answered) are always handled one by one.
/// - Inbox rows older than `inboxRetention` (7 days) are pruned every 10 minutes: the
///   window in which a duplicate is still recognised.
/// - Graceful shutdown: stop taking messages, finish those in flight, then return.
public struct ConsumerRunner: Service {
    public let queue: String
    let handlers: MessageHandlers
    let inbox: Inbox
    let outbox: Outbox
    let pool: PostgresPool
    let amqp: AMQPClient
    let prefetch: UInt16
    let concurrency: Int
    let batchSize: Int
    let retry: RetryPolicy
    let inboxRetention: Duration
    let logger: Logger
    let outcomes: @Sendable (String) -> Counter

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
        self.batchSize = max(1, batchSize)
        self.retry = retry
        self.inboxRetention = inboxRetention
        var logger = logger
        logger[metadataKey: "queue"] = "\(queue)"
        self.logger = logger
        // Counters are created once: the metrics factory takes a lock per creation.
        let counters = Dictionary(uniqueKeysWithValues: ["handled", "duplicate", "refused", "retried", "dead_lettered"].map {
            ($0, Counter(label: "shipboard_messages_total", dimensions: [("queue", queue), ("outcome", $0)]))
        })
        self.outcomes = { outcome in
            counters[outcome] ?? Counter(label: "shipboard_messages_total", dimensions: [("queue", queue), ("outcome", outcome)])
        }
    }

    public func run() async throws {
        let consumer = try await amqp.consume(queue: queue, prefetch: prefetch, timeout: .seconds(60))
        logger.info("consuming", metadata: ["handlers": "\(handlers.handledTypes.joined(separator: ","))"])
        let buffer = DeliveryBuffer(maxBatch: batchSize)
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
                            let batch = await buffer.take()
                            if batch.isEmpty { return }
                            await processBatch(batch)
                        }
                    }
                }
                do {
                    for try await delivery in consumer { await buffer.put(delivery) }
                } catch {
                    logger.warning("delivery stream failed", metadata: ["error": "\(error)"])
                }
                // The stream ended (shutdown or cancellation): finish what is in hand.
                await buffer.finish()
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.cancel() }
        }
        await consumer.cancel()
        logger.info("stopped consuming")
    }

    /// Handles one delivery to the end: acked after commit, retried, or dead-lettered.
    func process(_ delivery: AMQPDelivery) async {
        let attempt = Int(delivery.properties.headers[MessageHeaders.attempt]?.intValue ?? 1)
        let header: EnvelopeHeader
        let prepared: MessageHandlers.Prepared
        do {
            header = try ContractCoding.decode(EnvelopeHeader.self, from: delivery.body)
        } catch {
            return await rejectMalformed(
                delivery, reason: "undecodable envelope: \(Self.describe(error))",
                refusal: Self.malformedRefusal(error, messageType: delivery.properties.type), attempt: attempt)
        }
        do {
            guard let found = try handlers.prepare(header, body: delivery.body) else {
                return await rejectMalformed(
                    delivery, reason: "no handler for \(header.type) version \(header.version)",
                    refusal: CommandError(
                        .validation, "\(header.type) version \(header.version) is not a command this service knows",
                        rule: "messages.unknown_type"),
                    attempt: attempt)
            }
            prepared = found
        } catch {
            return await rejectMalformed(
                delivery, reason: "payload does not match \(header.type) v\(header.version): \(Self.describe(error))",
                refusal: Self.malformedRefusal(error, messageType: header.type), attempt: attempt)
        }
        var messageLogger = self.logger
        messageLogger[metadataKey: "message.id"] = "\(header.id)"
        messageLogger[metadataKey: "release.key"] = "\(header.correlationId)"
        let logger = messageLogger
        let context: @Sendable (PostgresTransaction) -> HandlerContext = { transaction in
            HandlerContext(
                transaction: transaction, outbox: outbox, header: header, attempt: attempt,
                redelivered: delivery.redelivered, logger: logger)
        }
        do {
            let reply = try await handle(header.id, prepared: prepared, context: context)
            if let reply, let replyTo = delivery.properties.replyTo {
                await sendReply(reply, to: replyTo, correlationID: delivery.properties.correlationID, logger: logger)
            }
            await settle(delivery, logger: logger) { try await delivery.ack() }
        } catch {
            await retryOrDeadLetter(delivery, error: error, attempt: attempt, logger: logger)
        }
    }

    /// Runs the handler in the inbox transaction. Returns the reply to send, if any.
    private func handle(
        _ id: UUID, prepared: MessageHandlers.Prepared, context: @escaping @Sendable (PostgresTransaction) -> HandlerContext
    ) async throws -> Data? {
        do {
            let (reply, duplicate) = try await pool.withTransaction { transaction -> (Data?, Bool) in
                guard try await inbox.claim(id, in: transaction) else {
                    return (try await inbox.storedReply(for: id, in: transaction), true)
                }
                let reply = try await prepared(context(transaction))
                if let reply { try await inbox.storeReply(reply, for: id, in: transaction) }
                return (reply, false)
            }
            outcomes(duplicate ? "duplicate" : "handled").increment()
            return reply
        } catch {
            guard let refusal = Self.commandError(in: error) else { throw error }
            // The handler's writes rolled back; record the refusal so a repeat gets it too.
            let reply = try ContractCoding.encode(CommandRefusal(error: refusal))
            try await pool.withTransaction { transaction in
                if try await inbox.claim(id, in: transaction) {
                    try await inbox.storeReply(reply, for: id, in: transaction)
                }
            }
            outcomes("refused").increment()
            return reply
        }
    }

    static func commandError(in error: any Error) -> CommandError? {
        if let error = error as? CommandError { return error }
        if let error = error as? PostgresTransactionError { return error.underlying as? CommandError }
        return nil
    }

    /// Error text for headers and logs: our error types never carry secrets or SQL; cap the length.
    static func describe(_ error: any Error) -> String {
        String(String(describing: error).prefix(500))
    }
}
