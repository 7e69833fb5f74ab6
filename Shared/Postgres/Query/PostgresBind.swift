/// One bound parameter, already in the form libpq sends.
///
/// Text parameters use PostgreSQL's input syntax; `bytea` goes in binary. A value that
/// could not be encoded is kept as a failure and reported when the query runs, because
/// string interpolation cannot throw.
public struct PostgresBind: Sendable {
    /// The wire form of a non-NULL value.
    public enum Payload: Sendable, Hashable {
        /// PostgreSQL's text input syntax (must not contain NUL: libpq sends C strings).
        case text(String)
        /// Raw bytes, sent in binary format.
        case binary([UInt8])
    }

    enum Storage: Sendable {
        case null
        case value(Payload)
        case failed(PostgresEncodingError.Reason)
    }

    /// The parameter type OID sent with the value (`.unknown` lets the server infer it).
    public let dataType: PostgresDataType
    let storage: Storage

    /// Encodes a value.
    public init<Value: PostgresEncodable>(_ value: Value) {
        self.dataType = Value.postgresDataType
        do {
            self.storage = .value(try value.postgresEncoded())
        } catch let error as PostgresEncodingError {
            self.storage = .failed(error.reason)
        } catch {
            self.storage = .failed(.encodingFailed(type: "\(Value.self)"))
        }
    }

    /// Encodes an optional value; `nil` becomes SQL NULL typed as `Value`.
    public init<Value: PostgresEncodable>(_ value: Value?) {
        if let value {
            self.init(value)
        } else {
            self.init(dataType: Value.postgresDataType, storage: .null)
        }
    }

    /// SQL NULL with the given parameter type.
    public static func null(_ dataType: PostgresDataType = .unknown) -> PostgresBind {
        PostgresBind(dataType: dataType, storage: .null)
    }

    /// A value whose wire form the caller has produced.
    public init(dataType: PostgresDataType, payload: Payload) {
        self.init(dataType: dataType, storage: .value(payload))
    }

    init(dataType: PostgresDataType, storage: Storage) {
        self.dataType = dataType
        self.storage = storage
    }

    /// The text form, used to redact echoed values from server messages.
    var textForRedaction: String? {
        if case .value(.text(let text)) = storage { return text }
        return nil
    }
}
