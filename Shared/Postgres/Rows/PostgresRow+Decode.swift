extension PostgresRow {
    /// Decodes the row's columns left to right into a tuple:
    /// `let (id, name) = try row.decode((UUID, String).self)`.
    ///
    /// The number of types must equal the number of columns.
    public func decode<each Value: PostgresDecodable>(_ types: (repeat each Value).Type) throws(PostgresDecodingError) -> (repeat each Value) {
        var requested = 0
        for _ in repeat (each Value).self {
            requested += 1
        }
        guard requested == storage.columns.count else {
            throw PostgresDecodingError(
                .columnCountMismatch(requested: requested, actual: storage.columns.count), columnName: nil,
                columnIndex: nil, swiftType: "\(types)", postgresType: nil)
        }
        var index = 0
        func next<V: PostgresDecodable>(_ type: V.Type) throws(PostgresDecodingError) -> V {
            defer { index += 1 }
            return try decode(at: index, as: type)
        }
        return (repeat try next((each Value).self))
    }

    /// Decodes the first column named `column`.
    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws(PostgresDecodingError) -> Value {
        guard let index = storage.indexByName[column] else {
            throw PostgresDecodingError(
                .columnNotFound, columnName: column, columnIndex: nil, swiftType: "\(Value.self)", postgresType: nil)
        }
        return try decode(at: index, as: type)
    }

    /// Decodes the column at a zero-based index.
    public func decode<Value: PostgresDecodable>(at index: Int, as type: Value.Type = Value.self) throws(PostgresDecodingError) -> Value {
        guard storage.columns.indices.contains(index) else {
            throw PostgresDecodingError(
                .columnNotFound, columnName: nil, columnIndex: index, swiftType: "\(Value.self)", postgresType: nil)
        }
        let column = storage.columns[index]
        func failure(_ reason: PostgresDecodingError.Reason) -> PostgresDecodingError {
            PostgresDecodingError(
                reason, columnName: column.name, columnIndex: index, swiftType: "\(Value.self)",
                postgresType: column.dataType.name)
        }
        guard Value.accepts(column.dataType) else {
            throw failure(.typeMismatch)
        }
        do {
            guard let text = cell(index) else {
                return try Value.decodeNull()
            }
            return try Value.decode(postgresText: text, type: column.dataType)
        } catch {
            throw failure(error)
        }
    }
}
