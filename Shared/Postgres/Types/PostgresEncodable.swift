/// A Swift value that can be sent as a bound parameter.
///
/// Conformers produce PostgreSQL's text input syntax (or binary bytes for `bytea`) and name
/// the parameter type OID. The value is encoded when the query is built; it never becomes
/// part of the SQL text.
public protocol PostgresEncodable {
    /// The parameter type OID sent with the value; `.unknown` lets the server infer it.
    static var postgresDataType: PostgresDataType { get }

    /// The value's wire form. Throw ``PostgresEncodingError`` for values PostgreSQL cannot hold.
    func postgresEncoded() throws -> PostgresBind.Payload
}
