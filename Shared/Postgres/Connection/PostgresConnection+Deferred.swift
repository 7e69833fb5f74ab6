import CLibPQ

/// Queued statements: writes whose rows the caller does not read wait for the transaction's
/// next statement or its `COMMIT` and go out with it in one pipeline (one round trip for
/// all), in the order they were queued. A read after them sees their effects.
extension PostgresConnection {
    /// Queues `query` (checked for encoding now, so a bad value is reported at its own step).
    func enqueue(
        _ query: PostgresQuery, label: String?, check: (@Sendable (PostgresRows) throws -> Void)?, serial: UInt64
    ) throws(PostgresTransactionError) {
        let index = try nextStatement(label: label, serial: serial)
        let step = PostgresTransactionError.Step.statement(index: index, label: label)
        do {
            _ = try openHandle()
            try LibPQConnection.validate(query)
        } catch {
            throw PostgresTransactionError(step: step, underlying: error, serial: serial)
        }
        deferred.append(DeferredStatement(query: query, step: step, check: check))
    }

    /// Sends the pending `BEGIN`, the queued statements and `extra` in one pipeline, runs the
    /// checks, and returns the rows of each queued statement and of `extra`, in order.
    ///
    /// An error names the statement at fault. When `extra` is the `COMMIT`, a failure of the
    /// pipeline as a whole (e.g. the connection lost while reading) is the commit's: whether
    /// it took effect is unknown.
    @discardableResult
    func flushDeferred(with extra: PipelineItem?, serial: UInt64) throws(PostgresTransactionError) -> [PostgresRows] {
        var items: [PipelineItem] = []
        var steps: [PostgresTransactionError.Step] = []
        if let pendingBegin {
            items.append(.control(pendingBegin))
            steps.append(.begin)
        }
        for statement in deferred {
            items.append(.query(statement.query))
            steps.append(statement.step)
        }
        if let extra {
            items.append(extra)
            steps.append(.commit)
        }
        let queued = deferred
        pendingBegin = nil
        deferred = []
        guard !items.isEmpty else { return [] }
        let handle: LibPQConnection
        do {
            handle = try openHandle()
        } catch {
            throw PostgresTransactionError(step: steps.first ?? .commit, underlying: error, serial: serial)
        }
        defer { dropIfAbandoned(handle) }
        // The rows of the queued statements follow the pending BEGIN, if any.
        let offset = items.count - queued.count - (extra == nil ? 0 : 1)
        let rows: [PostgresRows]
        do {
            rows = try handle.executePipeline(items)
        } catch {
            // A statement before the one that failed may have a check that fails: it came first.
            try runChecks(of: queued, rows: error.completed, offset: offset, serial: serial)
            let step = error.position.map { steps[$0] } ?? steps[steps.count - 1]
            throw PostgresTransactionError(step: step, underlying: error.error, serial: serial)
        }
        try runChecks(of: queued, rows: rows, offset: offset, serial: serial)
        return Array(rows[offset...])
    }

    /// Runs `queries` after anything queued, in one round trip, and returns their rows.
    func transactionBatch(
        _ queries: [(query: PostgresQuery, label: String?)], serial: UInt64
    ) throws(PostgresTransactionError) -> [PostgresRows] {
        for (query, label) in queries {
            let index = try nextStatement(label: label, serial: serial)
            let step = PostgresTransactionError.Step.statement(index: index, label: label)
            do {
                try LibPQConnection.validate(query)
            } catch {
                throw PostgresTransactionError(step: step, underlying: error, serial: serial)
            }
            deferred.append(DeferredStatement(query: query, step: step, check: nil))
        }
        return Array(try flushDeferred(with: nil, serial: serial).suffix(queries.count))
    }

    /// Runs the checks of `queued` whose rows are in `rows` (from `offset`), in order; the
    /// first that throws fails the transaction for good.
    private func runChecks(
        of queued: [DeferredStatement], rows: [PostgresRows], offset: Int, serial: UInt64
    ) throws(PostgresTransactionError) {
        for (position, statement) in queued.enumerated() where offset + position < rows.count {
            guard let check = statement.check else { continue }
            do {
                try check(rows[offset + position])
            } catch {
                let failure = PostgresTransactionError(step: statement.step, underlying: error, serial: serial)
                failedCheck = failure
                throw failure
            }
        }
    }
}
