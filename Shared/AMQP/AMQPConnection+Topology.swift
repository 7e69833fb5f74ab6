import CRabbitMQ
import Foundation

extension AMQPConnection {
    /// Declares every exchange, queue and binding. Declarations are idempotent at the broker;
    /// one that conflicts with an existing definition (406) throws `channelClosed`.
    public func declare(_ topology: AMQPTopology) throws(AMQPError) {
        for exchange in topology.exchanges { try declareExchange(exchange) }
        for queue in topology.queues { _ = try declareQueue(queue) }
        for binding in topology.bindings { try bind(binding) }
    }

    public func declareExchange(_ exchange: AMQPTopology.Exchange) throws(AMQPError) {
        try ensureControlChannel()
        let arena = CArena()
        amqp_exchange_declare(
            handle.state, Self.controlChannel, try arena.bytes(exchange.name), try arena.bytes(exchange.kind.rawValue),
            0, exchange.durable ? 1 : 0, 0, 0, try arena.table(exchange.arguments))
        try check(amqp_get_rpc_reply(handle.state), operation: "exchange.declare", channel: Self.controlChannel)
    }

    /// Declares a queue and returns its message and consumer counts.
    @discardableResult
    public func declareQueue(_ queue: AMQPTopology.Queue) throws(AMQPError) -> (messages: Int, consumers: Int) {
        try ensureControlChannel()
        let arena = CArena()
        let ok = amqp_queue_declare(
            handle.state, Self.controlChannel, try arena.bytes(queue.name), 0, queue.durable ? 1 : 0,
            queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, try arena.table(queue.arguments))
        try check(amqp_get_rpc_reply(handle.state), operation: "queue.declare", channel: Self.controlChannel)
        guard let ok else { return (0, 0) }
        return (Int(ok.pointee.message_count), Int(ok.pointee.consumer_count))
    }

    /// Message and consumer counts of an existing queue (passive declare; 404 if it is missing).
    public func queueCounts(_ name: String) throws(AMQPError) -> (messages: Int, consumers: Int) {
        try ensureControlChannel()
        let arena = CArena()
        let ok = amqp_queue_declare(handle.state, Self.controlChannel, try arena.bytes(name), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), operation: "queue.declare", channel: Self.controlChannel)
        guard let ok else { return (0, 0) }
        return (Int(ok.pointee.message_count), Int(ok.pointee.consumer_count))
    }

    public func bind(_ binding: AMQPTopology.Binding) throws(AMQPError) {
        try ensureControlChannel()
        let arena = CArena()
        amqp_queue_bind(
            handle.state, Self.controlChannel, try arena.bytes(binding.queue), try arena.bytes(binding.exchange),
            try arena.bytes(binding.routingKey), try arena.table(binding.arguments))
        try check(amqp_get_rpc_reply(handle.state), operation: "queue.bind", channel: Self.controlChannel)
    }

    /// Deletes a queue (tests and operators; services never delete their queues).
    public func deleteQueue(_ name: String) throws(AMQPError) {
        try ensureControlChannel()
        let arena = CArena()
        amqp_queue_delete(handle.state, Self.controlChannel, try arena.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(handle.state), operation: "queue.delete", channel: Self.controlChannel)
    }

    /// Deletes an exchange (tests and operators).
    public func deleteExchange(_ name: String) throws(AMQPError) {
        try ensureControlChannel()
        let arena = CArena()
        amqp_exchange_delete(handle.state, Self.controlChannel, try arena.bytes(name), 0)
        try check(amqp_get_rpc_reply(handle.state), operation: "exchange.delete", channel: Self.controlChannel)
    }
}
