import AMQP
import Contracts

/// Builds the RabbitMQ objects Shipboard uses, from one definition in code.
///
/// For every work queue `Q`:
/// - `Q`: durable quorum queue with an explicit delivery limit, dead-lettering to
///   `shipboard.dead` with routing key `Q` (a message that crashes its consumer again and
///   again ends there too);
/// - `Q.retry.1` … `Q.retry.n`: delay queues bound to `shipboard.retry`; a message waits
///   there for its TTL, then dead-letters back to `Q` through the default exchange;
/// - `Q.dead`: where dead letters of `Q` stay for an operator, bound to `shipboard.dead`.
public enum MessagingTopology {
    /// How often the broker may deliver one message before dead-lettering it.
    public static let deliveryLimit = 10

    /// The four exchanges every service uses.
    public static var exchanges: [AMQPTopology.Exchange] {
        [
            .init(name: Exchanges.commands, kind: .topic),
            .init(name: Exchanges.events, kind: .topic),
            .init(name: Exchanges.retry, kind: .direct),
            .init(name: Exchanges.dead, kind: .direct),
        ]
    }

    /// A work queue with its retry and dead-letter queues, bound to `bindings`
    /// (exchange, routing key pattern).
    public static func workQueue(
        _ queue: String, bindings: [(exchange: String, routingKey: String)], retry: RetryPolicy = .standard
    ) -> AMQPTopology {
        var topology = AMQPTopology()
        topology.queues.append(
            .quorum(queue, deliveryLimit: deliveryLimit, deadLetterExchange: Exchanges.dead, deadLetterRoutingKey: queue))
        for binding in bindings {
            topology.bindings.append(.init(queue: queue, exchange: binding.exchange, routingKey: binding.routingKey))
        }
        for (index, delay) in retry.delays.enumerated() {
            let name = retry.retryQueue(for: queue, level: index + 1)
            topology.queues.append(
                .quorum(
                    name, deliveryLimit: deliveryLimit, deadLetterExchange: "", deadLetterRoutingKey: queue,
                    messageTTL: Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)))
            topology.bindings.append(.init(queue: name, exchange: Exchanges.retry, routingKey: name))
        }
        let dead = deadLetterQueue(for: queue)
        topology.queues.append(.quorum(dead, deliveryLimit: deliveryLimit))
        topology.bindings.append(.init(queue: dead, exchange: Exchanges.dead, routingKey: queue))
        return topology
    }

    /// The queue where dead letters of `queue` end.
    public static func deadLetterQueue(for queue: String) -> String { "\(queue).dead" }

    /// Everything Shipboard declares: exchanges, each service's command and event queues,
    /// and the rollout deploy queue.
    public static var shipboard: AMQPTopology {
        var topology = AMQPTopology(exchanges: exchanges)
        for service in ServiceName.allCases where service != .gateway {
            topology.merge(workQueue(
                "\(service.rawValue).commands", bindings: [(Exchanges.commands, "\(service.rawValue).#")]))
            topology.merge(workQueue(
                "\(service.rawValue).events",
                bindings: eventSubscriptions[service, default: []].map { (Exchanges.events, $0) }))
        }
        topology.merge(workQueue("rollout.deploy", bindings: [(Exchanges.commands, "rollout.deploy.#")]))
        return topology
    }

    /// Event routing keys each service listens to. Services add theirs as they are built.
    public static let eventSubscriptions: [ServiceName: [String]] = [
        .planning: ["build.#", "testing.#", "rollout.#", "notify.#"],
        .build: ["release.phase_changed"],
        .testing: ["image.#", "release.phase_changed"],
        .rollout: ["dml.#", "release.phase_changed"],
        .notify: ["#"],
    ]
}
