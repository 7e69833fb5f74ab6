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

    /// Checks what the broker or the wire format would refuse, before anything is written:
    /// names and short-string properties ≤ 255 bytes, header names ≤ 128 bytes, body ≤ `maxMessageSize`.
    /// Errors name the rule, never the value.
    func validate(maxMessageSize: Int) throws(AMQPError) {
        guard body.count <= maxMessageSize else {
            throw AMQPError.invalidArgument(
                "message body of \(body.count) bytes exceeds the maximum message size of \(maxMessageSize) bytes")
        }
        guard exchange.utf8.count <= 255, routingKey.utf8.count <= 255 else {
            throw AMQPError.invalidArgument("exchange and routing key must be at most 255 bytes")
        }
        func tooLong(_ value: String?) -> Bool { (value?.utf8.count ?? 0) > 255 }
        if tooLong(properties.messageID) || tooLong(properties.correlationID) || tooLong(properties.type)
            || tooLong(properties.contentType) || tooLong(properties.contentEncoding) || tooLong(properties.replyTo)
            || tooLong(properties.expiration) || tooLong(properties.appID)
        {
            throw AMQPError.invalidArgument("a message property is longer than 255 bytes")
        }
        if !properties.headers.isEmpty { try Self.validate(properties.headers) }
    }

    private static func validate(_ table: [String: AMQPFieldValue]) throws(AMQPError) {
        for (key, value) in table {
            guard key.utf8.count <= 128 else { throw AMQPError.invalidArgument("field name longer than 128 bytes") }
            try validate(value)
        }
    }

    private static func validate(_ value: AMQPFieldValue) throws(AMQPError) {
        switch value {
        case .table(let table): try validate(table)
        case .array(let items): for item in items { try validate(item) }
        default: break
        }
    }
}
