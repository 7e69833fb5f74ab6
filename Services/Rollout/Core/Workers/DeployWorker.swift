import AMQP
import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// The worker half of a replica: consumes its pool's deploy queue (`rollout.deploy.<pool>`,
/// competing with the pool's other replicas) and runs each job through the driver.
///
/// Three loops, so database work is batched whatever the driver's latency:
/// 1. the consumer hands deliveries to the claimer (at most twice `concurrency`
///    unacknowledged, so the next batch is claimed while one deploys; ``DeploySlots`` lets
///    only `concurrency` run);
/// 2. the claimer claims every job in hand in one transaction (a lease on each target and an
///    attempt row), acknowledges the stale ones (a repeat, a job for an attempt that was
///    superseded or a target that already finished: no second effect), and starts an attempt
///    task per claimed job;
/// 3. the recorder writes every finished attempt in hand in one transaction with its events,
///    then acknowledges their jobs and wakes this replica's coordinator.
/// A heartbeat renews this replica's leases and its `workers` row. A replica killed at any
/// point leaves jobs unacknowledged (redelivered, then found stale) and leases that expire
/// (coordinators then dispatch those targets again as new attempts).
public struct DeployWorker: Service {
    let settings: WorkerSettings
    let schema: String
    let planningSchema: String
    let pool: PostgresPool
    let amqp: AMQPClient
    let driver: any DeployDriver
    let images: ImageSupply
    let wake: WakeSignal
    let logger: Logger
    /// Jobs claimed or recorded together at most.
    let batchSize = 256

    /// `fetcher` nil: the driver needs no image archive (`simulated`).
    public init(
        settings: WorkerSettings, schema: String = "rollout", planningSchema: String = "planning", pool: PostgresPool, amqp: AMQPClient,
        driver: any DeployDriver, fetcher: DMLFetcher?, wake: WakeSignal, logger: Logger
    ) {
        self.settings = settings
        self.schema = schema
        self.planningSchema = planningSchema
        self.pool = pool
        self.amqp = amqp
        self.driver = driver
        self.images = ImageSupply(fetcher: fetcher)
        self.wake = wake
        var logger = logger
        logger[metadataKey: "pool"] = "\(settings.pool)"
        self.logger = logger
    }

    var claims: DeployClaims { DeployClaims(schema: schema, replica: settings.replica) }

    public func run() async throws {
        try await amqp.declare(MessagingTopology.deployQueue(pool: settings.pool))
        try await WorkerRegistry(schema: schema).register(settings, pool: pool)
        let consumer = try await amqp.consume(
            queue: settings.queue, prefetch: UInt16(clamping: settings.concurrency * 2), timeout: .seconds(60))
        logger.info("deploying", metadata: [
            "queue": "\(settings.queue)", "sites": "\(settings.sites.isEmpty ? "all" : settings.sites.joined(separator: ","))",
            "concurrency": "\(settings.concurrency)", "replica": "\(settings.replica)",
        ])
        let intake = HandOff<AMQPDelivery>()
        let finished = HandOff<(AttemptResult, AMQPDelivery)>()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await heartbeat() }
                group.addTask {
                    await claimLoop(intake, finished)
                    await finished.finish()
                }
                group.addTask { await recordLoop(finished) }
                do {
                    for try await delivery in consumer { await intake.put(delivery) }
                } catch {
                    logger.warning("deploy queue stream ended", metadata: ["error": "\(error)"])
                }
                await intake.finish()
                // The heartbeat ends with the group's cancellation once the others are done.
                await group.next()
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.cancel() }
        }
        await consumer.cancel()
        try? await WorkerRegistry(schema: schema).unregister(settings.replica, pool: pool)
        logger.info("stopped deploying")
    }

    /// Renews leases and the registry row every third of the lease.
    private func heartbeat() async {
        let period = settings.lease / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            guard !Task.isCancelled else { return }
            do {
                try await claims.renew(lease: settings.lease, pool: pool)
                try await WorkerRegistry(schema: schema).register(settings, pool: pool)
            } catch {
                logger.warning("lease renewal failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
