/// A materialized result shared by all its rows. Immutable after creation, hence Sendable.
final class PostgresResultStorage: Sendable {
    let columns: [PostgresColumn]
    /// First column with each name (later duplicates stay reachable by index).
    let indexByName: [String: Int]
    /// Cells row by row; `nil` is SQL NULL. Text format as PostgreSQL prints it.
    let cells: [String?]
    let rowCount: Int

    init(columns: [PostgresColumn], cells: [String?], rowCount: Int) {
        self.columns = columns
        var indexByName: [String: Int] = [:]
        for (index, column) in columns.enumerated() where indexByName[column.name] == nil {
            indexByName[column.name] = index
        }
        self.indexByName = indexByName
        self.cells = cells
        self.rowCount = rowCount
    }
}
