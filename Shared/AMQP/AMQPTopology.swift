/// Exchanges, queues and bindings, declared idempotently (and again after every reconnect).
public struct AMQPTopology: Sendable {
    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    /// Adds everything in `other` (later definitions of the same name win at the broker).
    public mutating func merge(_ other: AMQPTopology) {
        exchanges += other.exchanges
        queues += other.queues
        bindings += other.bindings
    }

    public struct Exchange: Sendable, Equatable {
        public enum Kind: String, Sendable { case direct, topic, fanout, headers }
        public var name: String
        public var kind: Kind
        public var durable: Bool
        public var arguments: [String: AMQPFieldValue]

        public init(name: String, kind: Kind, durable: Bool = true, arguments: [String: AMQPFieldValue] = [:]) {
            self.name = name
            self.kind = kind
            self.durable = durable
            self.arguments = arguments
        }
    }

    public struct Queue: Sendable, Equatable {
        public var name: String
        public var durable: Bool
        public var exclusive: Bool
        public var autoDelete: Bool
        public var arguments: [String: AMQPFieldValue]

        public init(name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
                    arguments: [String: AMQPFieldValue] = [:]) {
            self.name = name
            self.durable = durable
            self.exclusive = exclusive
            self.autoDelete = autoDelete
            self.arguments = arguments
        }

        /// A durable quorum queue with an explicit delivery limit (RabbitMQ 3.10 has no default)
        /// and, optionally, a dead-letter route.
        public static func quorum(
            _ name: String, deliveryLimit: Int, deadLetterExchange: String? = nil,
            deadLetterRoutingKey: String? = nil, messageTTL: Int? = nil,
            extra: [String: AMQPFieldValue] = [:]
        ) -> Queue {
            var arguments = extra
            arguments["x-queue-type"] = "quorum"
            arguments["x-delivery-limit"] = .int(Int64(deliveryLimit))
            if let deadLetterExchange { arguments["x-dead-letter-exchange"] = .string(deadLetterExchange) }
            if let deadLetterRoutingKey { arguments["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
            if let messageTTL { arguments["x-message-ttl"] = .int(Int64(messageTTL)) }
            return Queue(name: name, arguments: arguments)
        }
    }

    public struct Binding: Sendable, Equatable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public var arguments: [String: AMQPFieldValue]

        public init(queue: String, exchange: String, routingKey: String, arguments: [String: AMQPFieldValue] = [:]) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
            self.arguments = arguments
        }
    }
}
