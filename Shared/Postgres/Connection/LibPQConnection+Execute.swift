import CLibPQ

extension LibPQConnection {
    /// Runs a query with bound parameters and returns its materialized result. Blocks the
    /// executor's thread until the result, the deadline or the task's cancellation (see
    /// ``exchange(binds:cancellable:_:)``).
    ///
    /// With the statement cache enabled, a SQL text is prepared once (`PQsendPrepare`) and
    /// then run with `PQsendQueryPrepared`; otherwise `PQsendQueryParams` is used. Parameters
    /// go in text format except `bytea`, which goes in binary; results come back in text format.
    func execute(_ query: PostgresQuery) throws -> PostgresRows {
        try Self.validate(query)
        try deallocateEvictedStatements()
        let types = query.binds.map(\.dataType.rawValue)
        return try LibPQParameters.with(query.binds) { values, lengths, formats in
            let count = Int32(query.binds.count)
            guard statements.isEnabled else {
                return try consume(
                    exchange(binds: query.binds) { PQsendQueryParams(pointer, query.sql, count, types, values, lengths, formats, 0) },
                    binds: query.binds)
            }
            let key = PreparedStatementCache.Key(sql: query.sql, parameterTypes: types)
            func run() throws(PostgresError) -> PostgresRows {
                let name = try preparedName(for: key, binds: query.binds)
                return try consume(
                    exchange(binds: query.binds) { PQsendQueryPrepared(pointer, name, count, values, lengths, formats, 0) },
                    binds: query.binds)
            }
            do {
                return try run()
            } catch let error as PostgresError where Self.isStaleStatement(error) {
                // Someone ran DEALLOCATE/DISCARD, or a table changed under a cached plan.
                statements.remove(key)
                guard PQtransactionStatus(pointer) == PQTRANS_IDLE else { throw error }
                return try run()
            }
        }
    }

    /// Runs trusted SQL text that may hold several statements (`PQsendQuery`), e.g. a
    /// migration file. Never pass text that contains input. `cancellable: false` lets the
    /// text run to its end (or deadline) even when the task is cancelled, for `ROLLBACK`.
    @discardableResult
    func executeScript(_ sql: String, cancellable: Bool = true) throws(PostgresError) -> PostgresRows {
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .other(""), message: "the SQL script contains a NUL byte")
        }
        if PQtransactionStatus(pointer) == PQTRANS_IDLE {
            try deallocateEvictedStatements()
        }
        return try consume(exchange(binds: [], cancellable: cancellable) { PQsendQuery(pointer, sql) }, binds: [])
    }

    private func preparedName(for key: PreparedStatementCache.Key, binds: [PostgresBind]) throws(PostgresError) -> String {
        if let name = statements.name(for: key) { return name }
        let name = statements.makeName()
        let count = Int32(key.parameterTypes.count)
        _ = try consume(exchange(binds: binds) { PQsendPrepare(pointer, name, key.sql, count, key.parameterTypes) }, binds: binds)
        if let evicted = statements.insert(key, name: name) {
            // Not now: this may be inside the caller's transaction (an aborted one would
            // refuse it). Deallocated before the next statement outside a transaction.
            pendingDeallocations.append(evicted)
        }
        return name
    }

    /// Deallocates statements evicted from the cache, when the connection is outside a
    /// transaction (only then: never a statement in the caller's transaction). A server
    /// error (e.g. the statement is already gone after `DISCARD ALL`) is ignored; a lost or
    /// abandoned connection is reported. The names are generated, never input.
    func deallocateEvictedStatements() throws(PostgresError) {
        guard !pendingDeallocations.isEmpty, PQtransactionStatus(pointer) == PQTRANS_IDLE else { return }
        let names = pendingDeallocations
        pendingDeallocations.removeAll()
        let script = names.map { "DEALLOCATE \($0)" }.joined(separator: "; ")
        do {
            _ = try consume(exchange(binds: []) { PQsendQuery(pointer, script) }, binds: [])
        } catch where error.code == .connectionLost || isAbandoned || error.code == .taskCancelled {
            throw error
        } catch {
            // One unknown name stops the rest of the script: those live until the session ends.
        }
    }

    private static func isStaleStatement(_ error: PostgresError) -> Bool {
        // 26000: prepared statement does not exist; 0A000 "cached plan must not change result type".
        error.sqlState == "26000" || (error.sqlState == "0A000" && error.message.contains("cached plan"))
    }

    static func validate(_ query: PostgresQuery) throws(PostgresEncodingError) {
        if let reason = query.deferredError {
            throw PostgresEncodingError(reason)
        }
        guard query.binds.count <= Int(UInt16.max) else {
            throw PostgresEncodingError(.tooManyParameters(query.binds.count))
        }
        guard !query.sql.utf8.contains(0) else {
            throw PostgresEncodingError(.nulByteInSQL)
        }
        for (index, bind) in query.binds.enumerated() {
            switch bind.storage {
            case .null, .value(.binary):
                continue
            case .value(.text(let text)):
                if text.utf8.contains(0) { throw PostgresEncodingError(.nulByteInText(parameter: index + 1)) }
            case .failed(let reason):
                throw PostgresEncodingError(reason)
            }
        }
    }

    /// Turns a `PGresult*` into rows or an error, and always frees it.
    func consume(_ result: OpaquePointer, binds: [PostgresBind]) throws(PostgresError) -> PostgresRows {
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Self.materialize(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // Leaving COPY mode can wait on the server without a deadline: drop the
            // connection instead (the pool replaces it).
            isAbandoned = true
            throw PostgresError(code: .other(""), message: "COPY is not supported through this API; the connection was closed")
        default:
            throw makeError(result, binds: binds)
        }
    }

    static func materialize(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { index in
            PostgresColumn(
                name: PQfname(result, index).map { String(cString: $0) } ?? "?column?",
                dataType: PostgresDataType(rawValue: PQftype(result, index)))
        }
        var cells: [String?] = []
        cells.reserveCapacity(Int(columnCount) * Int(rowCount))
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else {
                    cells.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                cells.append(String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self))
            }
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) }
        return PostgresRows(
            storage: PostgresResultStorage(columns: columns, cells: cells, rowCount: Int(rowCount)),
            affectedRows: affected, commandTag: tag)
    }
}
