import AMQP
import Contracts
import Foundation
import Messaging
import Postgres

extension DeployWorker {
    /// Claims what is in hand, starts the claimed attempts, acknowledges the stale jobs.
    func claimLoop(_ intake: HandOff<AMQPDelivery>, _ finished: HandOff<(AttemptResult, AMQPDelivery)>) async {
        let slots = DeploySlots(settings.concurrency)
        await withDiscardingTaskGroup { attempts in
            while true {
                let deliveries = await intake.take(max: batchSize)
                if deliveries.isEmpty { return }
                var jobs: [(DeployJob, AMQPDelivery)] = []
                for delivery in deliveries {
                    guard let job = decode(delivery) else { continue }
                    jobs.append((job, delivery))
                }
                guard let (claimed, attributes) = await claim(jobs.map(\.0)) else {
                    // Shutting down while the database is away: the broker redelivers them.
                    return
                }
                let held = Set(claimed.map { $0.job.rolloutId + "/" + $0.job.taskKey })
                for (job, delivery) in jobs where !held.contains(job.rolloutId + "/" + job.taskKey) {
                    try? await delivery.ack()
                }
                for item in claimed {
                    guard let delivery = jobs.first(where: { $0.0.rolloutId == item.job.rolloutId && $0.0.taskKey == item.job.taskKey })?.1
                    else { continue }
                    attempts.addTask {
                        await slots.acquire()
                        let result = await attempt(item, attributes: attributes[item.target] ?? [:])
                        await slots.release()
                        await finished.put((result, delivery))
                    }
                }
            }
        }
    }

    /// A deploy job, or nil after dead-lettering what is not one.
    private func decode(_ delivery: AMQPDelivery) -> DeployJob? {
        guard let envelope = try? ContractCoding.decode(Envelope<DeployJob>.self, from: delivery.body),
              UUID(uuidString: envelope.payload.rolloutId) != nil, envelope.payload.action.isKnown,
              envelope.payload.attempt >= 1
        else {
            logger.error("a deploy job that cannot be read is dead-lettered", metadata: ["routingKey": "\(delivery.routingKey)"])
            Task { try? await delivery.reject(requeue: false) }
            return nil
        }
        return envelope.payload
    }

    /// One transaction: the claims and the targets' CMDB attributes. Retried while the
    /// database is away; nil only when cancelled.
    private func claim(_ jobs: [DeployJob]) async -> ([ClaimedJob], [String: [String: String]])? {
        var pause = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                return try await pool.withTransaction { transaction in
                    let claimed = try await claims.claim(jobs, lease: settings.lease, in: transaction)
                    let attributes = try await PlanningReader(schema: planningSchema)
                        .attributes(of: Array(Set(claimed.map(\.target))), in: transaction)
                    return (claimed, attributes)
                }
            } catch {
                logger.warning("claiming deploy jobs failed; trying again", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
        return nil
    }

    /// Records what is in hand in one transaction, then acknowledges the jobs.
    func recordLoop(_ finished: HandOff<(AttemptResult, AMQPDelivery)>) async {
        while true {
            let batch = await finished.take(max: batchSize)
            if batch.isEmpty { return }
            var pause = Duration.milliseconds(200)
            while true {
                do {
                    try await pool.withTransaction { transaction in
                        let recorded = try await claims.record(batch.map(\.0), in: transaction)
                        let outbox = RolloutOutbox(outbox: Outbox(schema: schema), transaction: transaction)
                        for (releaseKey, results) in Dictionary(grouping: recorded, by: \.claimed.releaseKey) {
                            try await outbox.publish(results.compactMap(\.event), releaseKey: releaseKey)
                        }
                    }
                    break
                } catch {
                    // Keep the outcomes (the deploys happened): write them once the database is back.
                    logger.warning("recording deploy outcomes failed; trying again", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(5))
                }
            }
            for (_, delivery) in batch { try? await delivery.ack() }
            await wake.signal()
        }
    }
}

extension AttemptResult {
    /// The event announcing the target's new state, when it has one to announce.
    var event: (any EventContract)? {
        let job = claimed.job
        func make<Kind>(_: RolloutTargetEvent<Kind>.Type) -> RolloutTargetEvent<Kind> {
            RolloutTargetEvent<Kind>(
                releaseKey: claimed.releaseKey, rolloutId: job.rolloutId, taskKey: job.taskKey, target: claimed.target,
                site: claimed.site, wave: claimed.wave, attempt: job.attempt, detail: detail)
        }
        switch targetState {
        case .succeeded where job.action == .deploy: return make(RolloutTargetSucceeded.self)
        case .failed: return make(RolloutTargetFailed.self)
        case .backedOut: return make(RolloutTargetBackedOut.self)
        default: return nil
        }
    }
}
