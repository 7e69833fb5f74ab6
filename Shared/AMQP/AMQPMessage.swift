import Foundation

/// A message to publish: where it goes, its body and its properties.
public struct AMQPMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var body: Data
    public var properties: AMQPProperties
    /// When true, a message no queue accepts comes back as `AMQPError.publishReturned`.
    public var mandatory: Bool

    public init(
        exchange: String, routingKey: String, body: Data,
        properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.mandatory = mandatory
    }
}
