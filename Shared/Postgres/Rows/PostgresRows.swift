/// The complete result of one statement, read into memory before the libpq result is freed.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let storage: PostgresResultStorage

    /// Rows affected by INSERT/UPDATE/DELETE/… (libpq's `PQcmdTuples`), `nil` for other commands.
    public let affectedRows: Int?
    /// The command tag, e.g. `INSERT 0 1`, `SELECT 3`, `COMMIT`.
    public let commandTag: String

    init(storage: PostgresResultStorage, affectedRows: Int?, commandTag: String) {
        self.storage = storage
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    /// The result's columns, left to right.
    public var columns: [PostgresColumn] { storage.columns }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index out of range")
        return PostgresRow(storage: storage, row: position)
    }

    /// The only row; throws when there are none or several.
    public func single() throws(PostgresDecodingError) -> PostgresRow {
        guard count == 1, let row = first else {
            throw PostgresDecodingError(
                .invalidValue("expected exactly one row, got \(count)"), columnName: nil, columnIndex: nil,
                swiftType: "PostgresRow", postgresType: nil)
        }
        return row
    }
}
