import Foundation

/// A message delivered to a consumer. Settle it exactly once with `ack`, `nack` or `reject`
/// after its effect is committed; until then the broker keeps it and redelivers it if the
/// connection drops.
public struct AMQPDelivery: Sendable {
    public let body: Data
    public let properties: AMQPProperties
    public let exchange: String
    public let routingKey: String
    public let consumerTag: String
    /// True when the broker delivered this message before (to this or another consumer).
    public let redelivered: Bool
    public let deliveryTag: UInt64
    let channel: UInt16
    let channelEpoch: UInt64
    let connection: AMQPConnection

    /// False once the connection or channel it came on has failed or closed: the broker has
    /// taken the message back and will redeliver it, so handling this copy is wasted work and
    /// settling it fails with `staleDelivery`. Cheap: reads shared state, no broker round trip.
    public var isLive: Bool {
        get async { connection.status.isLive(channel: channel, epoch: channelEpoch) }
    }

    /// Acknowledges the message: the broker forgets it.
    public func ack() async throws(AMQPError) {
        try await connection.settle(.ack, tag: deliveryTag, channel: channel, epoch: channelEpoch)
    }

    /// Negatively acknowledges the message; `requeue: false` dead-letters it (if the queue has a route).
    public func nack(requeue: Bool) async throws(AMQPError) {
        try await connection.settle(.nack(requeue: requeue), tag: deliveryTag, channel: channel, epoch: channelEpoch)
    }

    /// Rejects the message; `requeue: false` dead-letters it (if the queue has a route).
    public func reject(requeue: Bool) async throws(AMQPError) {
        try await connection.settle(.reject(requeue: requeue), tag: deliveryTag, channel: channel, epoch: channelEpoch)
    }

    /// The number of earlier deliveries, from the quorum queue's `x-delivery-count` header.
    public var deliveryCount: Int64 {
        properties.headers["x-delivery-count"]?.intValue ?? 0
    }
}

/// How a delivery is settled.
enum Settlement: Sendable {
    case ack
    case nack(requeue: Bool)
    case reject(requeue: Bool)
}
