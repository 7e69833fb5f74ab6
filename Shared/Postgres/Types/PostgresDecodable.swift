/// A Swift type that can be read from a result column in PostgreSQL's text format.
///
/// ``PostgresRow`` checks ``accepts(_:)`` against the column's type OID before decoding, so
/// a text column is never silently read as a number, and adds the column's name and index
/// to any error thrown here.
public protocol PostgresDecodable {
    /// Whether a column of this PostgreSQL type can be decoded as `Self`.
    static func accepts(_ type: PostgresDataType) -> Bool

    /// Decodes a non-NULL value from PostgreSQL's text output.
    static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Self

    /// The value for SQL NULL. The default throws `.unexpectedNull`; `Optional` returns `nil`.
    static func decodeNull() throws(PostgresDecodingError.Reason) -> Self
}

extension PostgresDecodable {
    public static func decodeNull() throws(PostgresDecodingError.Reason) -> Self {
        throw .unexpectedNull
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func accepts(_ type: PostgresDataType) -> Bool {
        Wrapped.accepts(type)
    }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingError.Reason) -> Self {
        try Wrapped.decode(postgresText: text, type: type)
    }

    public static func decodeNull() throws(PostgresDecodingError.Reason) -> Self {
        nil
    }
}
