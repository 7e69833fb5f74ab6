import AMQP
import Foundation

/// Exports a topology in RabbitMQ's definitions format (`rabbitmqctl import_definitions`,
/// `load_definitions`), so operators can pre-create what the services declare at start-up.
public enum TopologyDefinitions {
    public static func json(_ topology: AMQPTopology, vhost: String) throws -> Data {
        let exchanges: [[String: Any]] = topology.exchanges.map {
            ["name": $0.name, "vhost": vhost, "type": $0.kind.rawValue, "durable": $0.durable,
             "auto_delete": false, "internal": false, "arguments": arguments($0.arguments)]
        }
        let queues: [[String: Any]] = topology.queues.map {
            ["name": $0.name, "vhost": vhost, "durable": $0.durable, "auto_delete": $0.autoDelete,
             "arguments": arguments($0.arguments)]
        }
        let bindings: [[String: Any]] = topology.bindings.map {
            ["source": $0.exchange, "vhost": vhost, "destination": $0.queue, "destination_type": "queue",
             "routing_key": $0.routingKey, "arguments": arguments($0.arguments)]
        }
        let document: [String: Any] = ["exchanges": exchanges, "queues": queues, "bindings": bindings]
        var data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private static func arguments(_ values: [String: AMQPFieldValue]) -> [String: Any] {
        values.compactMapValues { value -> Any? in
            switch value {
            case .string(let s): s
            case .int(let i): i
            case .bool(let b): b
            case .double(let d): d
            default: nil
            }
        }
    }
}
