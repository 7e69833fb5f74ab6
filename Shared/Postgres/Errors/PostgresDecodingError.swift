/// A result column that cannot be read as the requested Swift type.
///
/// Names the column (name and zero-based index), the Swift type and the PostgreSQL type;
/// never the stored value.
public struct PostgresDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why decoding failed.
    public enum Reason: Error, Sendable, Hashable {
        /// The column's PostgreSQL type cannot be decoded as the Swift type.
        case typeMismatch
        /// The column is NULL and the Swift type is not optional.
        case unexpectedNull
        /// The text could not be parsed; the message describes the problem, not the value.
        case invalidValue(String)
        /// The number does not fit the Swift integer type.
        case outOfRange
        /// No column has the requested name, or the index is out of bounds.
        case columnNotFound
        /// A tuple decode asked for a different number of columns than the row has.
        case columnCountMismatch(requested: Int, actual: Int)
    }

    /// Why decoding failed.
    public let reason: Reason
    /// The column's name, when known.
    public let columnName: String?
    /// The column's zero-based index, when known.
    public let columnIndex: Int?
    /// The Swift type requested.
    public let swiftType: String
    /// The column's PostgreSQL type name, when the column exists.
    public let postgresType: String?

    init(_ reason: Reason, columnName: String?, columnIndex: Int?, swiftType: String, postgresType: String?) {
        self.reason = reason
        self.columnName = columnName
        self.columnIndex = columnIndex
        self.swiftType = swiftType
        self.postgresType = postgresType
    }

    public var description: String {
        var column = "column"
        if let columnName { column += " \"\(columnName)\"" }
        if let columnIndex { column += " (index \(columnIndex))" }
        let source = postgresType.map { " of PostgreSQL type \($0)" } ?? ""
        let why: String
        switch reason {
        case .typeMismatch: why = "type mismatch"
        case .unexpectedNull: why = "the value is NULL; decode as Optional to accept NULL"
        case .invalidValue(let message): why = message
        case .outOfRange: why = "the value does not fit"
        case .columnNotFound: why = "no such column"
        case .columnCountMismatch(let requested, let actual):
            return "cannot decode a row of \(actual) columns as \(requested) values (\(swiftType))"
        }
        return "cannot decode \(column)\(source) as \(swiftType): \(why)"
    }
}
