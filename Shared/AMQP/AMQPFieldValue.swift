import Foundation

/// A value in an AMQP field table (queue arguments, message headers).
public enum AMQPFieldValue: Sendable, Equatable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case double(Double)
    case bytes(Data)
    case timestamp(Date)
    case table([String: AMQPFieldValue])
    case array([AMQPFieldValue])
    case void

    /// The value as a string, if it is one (headers written by other clients may use bytes).
    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let d): String(data: d, encoding: .utf8)
        default: nil
        }
    }

    /// The value as an integer, if it is one.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
