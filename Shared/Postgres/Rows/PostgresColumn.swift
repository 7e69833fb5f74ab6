/// A result column's name and type.
public struct PostgresColumn: Sendable, Hashable {
    /// The column name as the server reports it (the alias, if any).
    public let name: String
    /// The column's type OID.
    public let dataType: PostgresDataType
}
