import AMQP
import Contracts
import Foundation

/// The loop of a stand-in for a service's command queue on the test broker (``NotifyStandIn``,
/// ``RolloutStandIn``): each command of one of `actors` is answered on its reply queue with
/// what `reply` makes of its type, actor and payload; a command of another actor is acked and
/// dropped (an earlier run's leftover) or, with `requeueOthers`, put back for the real
/// service another test runs on this broker.
enum CommandStandIn {
    static func answer(
        _ broker: AMQPClient, queue: String, actors: Set<String>, requeueOthers: Bool,
        reply: (_ type: String, _ actor: String, _ payload: [String: Any]) throws -> Data
    ) async throws {
        for try await delivery in try await broker.consume(queue: queue, prefetch: 10) {
            let json = (try? JSONSerialization.jsonObject(with: delivery.body)) as? [String: Any] ?? [:]
            let actor = json["actor"] as? String ?? ""
            guard actors.contains(actor), let type = json["type"] as? String, let replyTo = delivery.properties.replyTo else {
                if requeueOthers { try await delivery.nack(requeue: true) } else { try await delivery.ack() }
                continue
            }
            let body = try reply(type, actor, json["payload"] as? [String: Any] ?? [:])
            try await broker.publish(AMQPMessage(
                exchange: "", routingKey: replyTo, body: body,
                properties: AMQPProperties(correlationID: delivery.properties.correlationID, type: "reply", deliveryMode: 1)))
            try await delivery.ack()
        }
    }
}
