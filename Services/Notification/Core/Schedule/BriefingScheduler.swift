import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// Sends the communication plans' messages when they are due, on any number of replicas:
/// a due message is taken (`FOR UPDATE SKIP LOCKED`, marked sent) and its deliveries are
/// recorded in one transaction, so it is sent once even with two replicas, and a restart
/// only finds it still due (nothing is held in memory). Also sends the daily digests.
public struct BriefingScheduler: Service {
    let schemas: NotifySchemas
    let composer: MessageComposer
    let pool: PostgresPool
    let digests: DigestCollector
    let pollInterval: Duration
    let logger: Logger

    public init(
        schemas: NotifySchemas, links: NotificationLinks, pool: PostgresPool, digestHourUTC: Int, pollInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.schemas = schemas
        self.composer = MessageComposer(schemas: schemas, links: links)
        self.pool = pool
        self.digests = DigestCollector(schemas: schemas, composer: composer, hourUTC: digestHourUTC)
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await sendDue() > 0 {}
                    try await collectDigests()
                } catch {
                    logger.warning("scheduled sends failed; trying again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Sends the daily digests due at `now` (at most once a day per person and channel).
    public func collectDigests(now: Date = Date()) async throws {
        try await pool.withTransaction { try await digests.collect(now: now, in: $0) }
    }

    /// Sends one batch of due messages; returns how many were taken.
    @discardableResult
    public func sendDue() async throws -> Int {
        try await pool.withTransaction { transaction in
            let sends = try await ScheduledSendStore(schema: schemas.notify).takeDue(in: transaction)
            guard !sends.isEmpty else { return 0 }
            let deliveries = try await BriefingComposer(schemas: schemas, composer: composer).deliveries(for: sends, in: transaction)
            if try await DeliveryStore(schema: schemas.notify).insert(deliveries, in: transaction) > 0 {
                try await transaction.notify(channel: EventIntake.wakeChannel(schema: schemas.notify), payload: "")
            }
            for send in sends {
                logger.info("communication plan message sent", metadata: [
                    "release": "\(send.releaseKey)", "send": "\(send.id)", "deliveries": "\(deliveries.count)",
                ])
            }
            return sends.count
        }
    }
}
