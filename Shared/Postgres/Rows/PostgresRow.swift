/// One row of a ``PostgresRows`` result. Decode its columns with the `decode` methods.
public struct PostgresRow: Sendable {
    let storage: PostgresResultStorage
    let row: Int

    /// The row's columns, left to right.
    public var columns: [PostgresColumn] { storage.columns }

    /// Whether the column at `index` is SQL NULL (false when out of range).
    public func isNull(at index: Int) -> Bool {
        guard storage.columns.indices.contains(index) else { return false }
        return cell(index) == nil
    }

    func cell(_ index: Int) -> String? {
        storage.cells[row * storage.columns.count + index]
    }
}
