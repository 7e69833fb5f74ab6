import Foundation

/// A `Codable` value stored in a `json` or `jsonb` column.
///
/// Encoded with a default `JSONEncoder` (so `Date` uses Foundation's default strategy) and
/// bound untyped, which fits both column types.
public struct PostgresJSON<Value: Codable>: PostgresEncodable, PostgresDecodable {
    /// The wrapped value.
    public var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public static var postgresDataType: PostgresDataType { .unknown }

    public func postgresEncoded() throws -> PostgresBind.Payload {
        do {
            return .text(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
        } catch {
            throw PostgresEncodingError(.encodingFailed(type: "\(Value.self)"))
        }
    }

    public static func accepts(_ type: PostgresDataType) -> Bool {
        type == .json || type == .jsonb || type == .text || type == .varchar || type == .unknownLiteral
    }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> PostgresJSON {
        do {
            return PostgresJSON(try JSONDecoder().decode(Value.self, from: Data(text.utf8)))
        } catch {
            // DecodingError messages can quote stored values, so only the type is named.
            throw .invalidValue("JSON does not decode as \(Value.self)")
        }
    }
}

extension PostgresJSON: Sendable where Value: Sendable {}
extension PostgresJSON: Equatable where Value: Equatable {}
extension PostgresJSON: Hashable where Value: Hashable {}
