import AMQP
import Contracts

/// Builds the RabbitMQ objects Shipboard uses, from one definition in code.
///
/// For every work queue `Q`:
/// - `Q`: durable quorum queue with an explicit delivery limit, dead-lettering to
///   `shipboard.dead` with routing key `Q` (a message that crashes its consumer again and
///   again ends there too), at least once: `x-dead-letter-strategy: at-least-once` keeps a
///   message in `Q` until the dead-letter queue has confirmed it, which RabbitMQ allows only
///   with `x-overflow: reject-publish`;
/// - `Q.dead`: where dead letters of `Q` stay for an operator, bound to `shipboard.dead`.
///
/// There are no delay queues: a consumer retries a failed message in place (see
/// `RetryPolicy`), which keeps the order of its correlation id. Moving a broker from the
/// older topology (delay queues, no dead-letter strategy): see the README, "Topology migration".
public enum MessagingTopology {
    /// How often the broker may deliver one message before dead-lettering it.
    public static let deliveryLimit = 10

    /// The exchanges every service uses. (`shipboard.retry` fed the delay queues of older
    /// versions; it is no longer declared.)
    public static var exchanges: [AMQPTopology.Exchange] {
        [
            .init(name: Exchanges.commands, kind: .topic),
            .init(name: Exchanges.events, kind: .topic),
            .init(name: Exchanges.dead, kind: .direct),
        ]
    }

    /// Arguments of every queue that dead-letters: at-least-once dead-lettering, which
    /// requires `reject-publish` overflow (RabbitMQ 3.10+, quorum queues).
    public static let deadLetterSafety: [String: AMQPFieldValue] = [
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    ]

    /// A work queue with its dead-letter queue, bound to `bindings` (exchange, routing key pattern).
    public static func workQueue(_ queue: String, bindings: [(exchange: String, routingKey: String)]) -> AMQPTopology {
        var topology = AMQPTopology()
        topology.queues.append(
            .quorum(
                queue, deliveryLimit: deliveryLimit, deadLetterExchange: Exchanges.dead, deadLetterRoutingKey: queue,
                extra: deadLetterSafety))
        for binding in bindings {
            topology.bindings.append(.init(queue: queue, exchange: binding.exchange, routingKey: binding.routingKey))
        }
        let dead = deadLetterQueue(for: queue)
        topology.queues.append(.quorum(dead, deliveryLimit: deliveryLimit))
        topology.bindings.append(.init(queue: dead, exchange: Exchanges.dead, routingKey: queue))
        return topology
    }

    /// The queue where dead letters of `queue` end.
    public static func deadLetterQueue(for queue: String) -> String { "\(queue).dead" }

    /// Everything Shipboard declares: exchanges, each service's command and event queues,
    /// and the default worker pool's deploy queue (other pools' replicas declare theirs).
    public static var shipboard: AMQPTopology {
        var topology = AMQPTopology(exchanges: exchanges)
        for service in ServiceName.allCases where service != .gateway {
            topology.merge(workQueue(
                "\(service.rawValue).commands", bindings: [(Exchanges.commands, "\(service.rawValue).#")]))
            topology.merge(workQueue(
                "\(service.rawValue).events",
                bindings: eventSubscriptions[service, default: []].map { (Exchanges.events, $0) }))
        }
        topology.merge(deployQueue(pool: "default"))
        return topology
    }

    /// The deploy queue of one rollout worker pool, `rollout.deploy.<pool>`: coordinators
    /// route each target's job to the pool serving its site (routing key `deploy.<pool>`), and
    /// the pool's replicas compete on it. (Older versions declared one `rollout.deploy`
    /// queue bound to `rollout.deploy.#`; it is no longer used: delete it, see the README.)
    public static func deployQueue(pool: String) -> AMQPTopology {
        workQueue("rollout.deploy.\(pool)", bindings: [(Exchanges.commands, DeployJob.routingKey(pool: pool))])
    }

    /// Event routing keys each service listens to. Services add theirs as they are built:
    /// a queue bound before its consumer exists only grows (a queue bound to every event,
    /// `#`, for a notification service not yet written held 570,000 events on a test broker
    /// after a day of runs, each one a quorum-queue write on every command), and its backlog
    /// would flood the consumer when it arrives. The queues are declared all the same, unbound.
    public static let eventSubscriptions: [ServiceName: [String]] = [
        // Exactly the events planning handles: an event without a handler would be dead-lettered.
        .planning: [
            ImageBuildFinished.routingKey, TestsFinished.routingKey, RolloutPlanFinished.routingKey, RolloutFinished.routingKey,
            DMLEntryAdded.routingKey, ImageRejected.routingKey,
            RolloutPlannedEvent.routingKey, RolloutTargetSucceeded.routingKey, RolloutTargetFailed.routingKey,
            RolloutTargetBackedOut.routingKey, RolloutTargetSkipped.routingKey, RolloutTargetExcluded.routingKey,
            RolloutTargetRetried.routingKey, RolloutHalted.routingKey, RolloutBackedOut.routingKey, RolloutAborted.routingKey,
            RolloutCompleted.routingKey,
        ],
        // Exactly the events notify keeps and may notify about.
        .notify: NotifiedEventTypes.all,
    ]
}
