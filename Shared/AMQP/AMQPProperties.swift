import CRabbitMQ
import Foundation

/// The basic properties of a message. Published messages are always persistent.
public struct AMQPProperties: Sendable, Equatable {
    public var messageID: String?
    public var correlationID: String?
    /// The message type, e.g. `release.created`.
    public var type: String?
    public var contentType: String?
    public var contentEncoding: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as AMQP's string field.
    public var expiration: String?
    public var timestamp: Date?
    public var appID: String?
    public var headers: [String: AMQPFieldValue]
    /// 2 = persistent (the default for everything Shipboard publishes), 1 = transient.
    public var deliveryMode: UInt8
    public var priority: UInt8?

    public init(
        messageID: String? = nil, correlationID: String? = nil, type: String? = nil,
        contentType: String? = "application/json", contentEncoding: String? = nil,
        replyTo: String? = nil, expiration: String? = nil, timestamp: Date? = nil,
        appID: String? = nil, headers: [String: AMQPFieldValue] = [:],
        deliveryMode: UInt8 = 2, priority: UInt8? = nil
    ) {
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.replyTo = replyTo
        self.expiration = expiration
        self.timestamp = timestamp
        self.appID = appID
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
    }
}

// Bit flags of amqp_basic_properties_t._flags (amqp_framing.h defines them as shift macros,
// which Swift does not import).
enum PropertyFlag {
    static let contentType: UInt32 = 1 << 15
    static let contentEncoding: UInt32 = 1 << 14
    static let headers: UInt32 = 1 << 13
    static let deliveryMode: UInt32 = 1 << 12
    static let priority: UInt32 = 1 << 11
    static let correlationID: UInt32 = 1 << 10
    static let replyTo: UInt32 = 1 << 9
    static let expiration: UInt32 = 1 << 8
    static let messageID: UInt32 = 1 << 7
    static let timestamp: UInt32 = 1 << 6
    static let type: UInt32 = 1 << 5
    static let appID: UInt32 = 1 << 3
}

extension AMQPProperties {
    /// Builds the C properties in `arena` (valid while the arena lives).
    func cProperties(in arena: CArena) throws(AMQPError) -> amqp_basic_properties_t {
        var p = amqp_basic_properties_t()
        var flags: UInt32 = PropertyFlag.deliveryMode
        p.delivery_mode = deliveryMode
        func set(_ value: String?, _ flag: UInt32) throws(AMQPError) -> amqp_bytes_t {
            guard let value else { return amqp_bytes_t(len: 0, bytes: nil) }
            guard value.utf8.count <= 255 else {
                throw AMQPError.invalidArgument("a message property is longer than 255 bytes")
            }
            flags |= flag
            return try arena.bytes(value)
        }
        p.message_id = try set(messageID, PropertyFlag.messageID)
        p.correlation_id = try set(correlationID, PropertyFlag.correlationID)
        p.type = try set(type, PropertyFlag.type)
        p.content_type = try set(contentType, PropertyFlag.contentType)
        p.content_encoding = try set(contentEncoding, PropertyFlag.contentEncoding)
        p.reply_to = try set(replyTo, PropertyFlag.replyTo)
        p.expiration = try set(expiration, PropertyFlag.expiration)
        p.app_id = try set(appID, PropertyFlag.appID)
        if let timestamp {
            flags |= PropertyFlag.timestamp
            p.timestamp = UInt64(max(0, timestamp.timeIntervalSince1970))
        }
        if let priority {
            flags |= PropertyFlag.priority
            p.priority = priority
        }
        if !headers.isEmpty {
            flags |= PropertyFlag.headers
            p.headers = try arena.table(headers)
        }
        p._flags = flags
        return p
    }

    /// Copies C properties received from the broker.
    init(_ p: amqp_basic_properties_t) {
        func get(_ bytes: amqp_bytes_t, _ flag: UInt32) -> String? {
            p._flags & flag != 0 ? bytes.string : nil
        }
        self.init(
            messageID: get(p.message_id, PropertyFlag.messageID),
            correlationID: get(p.correlation_id, PropertyFlag.correlationID),
            type: get(p.type, PropertyFlag.type),
            contentType: get(p.content_type, PropertyFlag.contentType),
            contentEncoding: get(p.content_encoding, PropertyFlag.contentEncoding),
            replyTo: get(p.reply_to, PropertyFlag.replyTo),
            expiration: get(p.expiration, PropertyFlag.expiration),
            timestamp: p._flags & PropertyFlag.timestamp != 0
                ? Date(timeIntervalSince1970: TimeInterval(p.timestamp)) : nil,
            appID: get(p.app_id, PropertyFlag.appID),
            headers: p._flags & PropertyFlag.headers != 0 ? p.headers.fields : [:],
            deliveryMode: p._flags & PropertyFlag.deliveryMode != 0 ? p.delivery_mode : 1,
            priority: p._flags & PropertyFlag.priority != 0 ? p.priority : nil)
    }
}
