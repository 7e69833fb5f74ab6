import Contracts
import Foundation
import Messaging
import Postgres

/// Where a rollout's events and jobs go: the outbox, in the transaction that made the change.
/// Handlers use their message's actor and causation; the coordinator acts as the service.
public struct RolloutOutbox: Sendable {
    public static let serviceActor = "shipboard-rollout"

    let outbox: Outbox
    let transaction: PostgresTransaction
    let actor: String
    let causationId: UUID?

    public init(outbox: Outbox, transaction: PostgresTransaction, actor: String = serviceActor, causationId: UUID? = nil) {
        self.outbox = outbox
        self.transaction = transaction
        self.actor = actor
        self.causationId = causationId
    }

    public init(_ context: HandlerContext) {
        self.init(outbox: context.outbox, transaction: context.transaction, actor: context.header.actor, causationId: context.header.id)
    }

    /// Events of one release, in order, one round trip.
    public func publish(_ events: [any EventContract], releaseKey: String) async throws {
        guard !events.isEmpty else { return }
        func envelope<Event: EventContract>(_ event: Event) -> any OutboxEventEnvelope {
            Envelope(event, correlationId: releaseKey, actor: actor, causationId: causationId)
        }
        try await outbox.publish(events.map { envelope($0) }, in: transaction)
    }

    /// A command to another service (fire and forget).
    public func send<Command: CommandContract>(_ command: Command, releaseKey: String) async throws {
        try await outbox.send(Envelope(command, correlationId: releaseKey, actor: actor, causationId: causationId), in: transaction)
    }

    /// Deploy jobs, each to the queue of its pool.
    public func dispatch(_ jobs: [(job: DeployJob, pool: String)], releaseKey: String) async throws {
        guard !jobs.isEmpty else { return }
        let rows = try jobs.map { job, pool in
            try Outbox.Row(
                Envelope(job, correlationId: releaseKey, actor: actor, causationId: causationId),
                exchange: Exchanges.commands, routingKey: DeployJob.routingKey(pool: pool))
        }
        try await outbox.enqueue(rows, in: transaction)
    }
}
