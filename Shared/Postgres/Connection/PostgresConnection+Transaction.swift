import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: BEGIN, body, COMMIT. On any error it rolls back and
    /// throws ``PostgresTransactionError`` naming the step that failed (`begin`,
    /// `statement(index, label)`, `body` or `commit`).
    ///
    /// With `retries > 0`, a serialization failure or deadlock runs the whole transaction
    /// again (after a short jittered pause), so `body` must be safe to repeat. The body
    /// runs in the caller's isolation; nonisolated code in it prefers the connection's own
    /// thread (a task executor preference), so a handler issuing statement after statement
    /// does not wake a second thread for each one and back (measured: about a sixth of the
    /// planning service's CPU per task action).
    ///
    /// ```swift
    /// try await connection.withTransaction(.serializable, retries: 3) { tx in
    ///     try await tx.query("INSERT INTO planning.releases (id, name) VALUES (\(id), \(name))", label: "insert release")
    /// }
    /// ```
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ level: PostgresIsolationLevel = .readCommitted,
        retries: Int = 0,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws(PostgresTransactionError) -> Result {
        var attempt = 0
        while true {
            do {
                return try await withTaskExecutorPreference(executor, isolation: isolation) {
                    () async throws(PostgresTransactionError) -> Result in
                    try await runTransaction(isolation: isolation, level, body)
                }
            } catch {
                let code = error.underlying.postgresError?.code
                guard attempt < retries, code == .serializationFailure || code == .deadlockDetected,
                      !Task.isCancelled
                else {
                    throw error
                }
                attempt += 1
                try? await Task.sleep(for: PostgresTransactionError.backoff(attempt: attempt))
            }
        }
    }

    private func runTransaction<Result>(
        isolation: isolated (any Actor)?,
        _ level: PostgresIsolationLevel,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws(PostgresTransactionError) -> Result {
        let serial = try await beginTransaction(level)
        let result: Result
        do {
            result = try await body(PostgresTransaction(connection: self, serial: serial))
        } catch {
            await rollbackTransaction()
            if let failure = error as? PostgresTransactionError, failure.serial == serial {
                throw failure
            }
            throw PostgresTransactionError(step: .body, underlying: error, serial: serial)
        }
        try await commitTransaction(serial: serial)
        return result
    }

    /// Opens the transaction's record; the `BEGIN` itself goes out with the first statement
    /// (see ``PostgresConnection/flushDeferred(with:serial:)``), so it costs no round trip
    /// of its own. A lost connection is still reported here, as the `begin` step.
    func beginTransaction(_ level: PostgresIsolationLevel) throws(PostgresTransactionError) -> UInt64 {
        transactionSerial += 1
        let serial = transactionSerial
        do {
            let handle = try openHandle()
            guard transaction == nil, PQtransactionStatus(handle.pointer) == PQTRANS_IDLE else {
                throw PostgresError(
                    code: .other("25001"), sqlState: "25001",
                    message: "a transaction is already open on this connection")
            }
            guard !handle.isAbandoned else { throw LibPQConnection.abandonedError }
            transaction = (serial, 0)
            pendingBegin = level.beginStatement
            deferred = []
            failedCheck = nil
            return serial
        } catch {
            throw PostgresTransactionError(step: .begin, underlying: error, serial: serial)
        }
    }

    func commitTransaction(serial: UInt64) throws(PostgresTransactionError) {
        defer { transaction = nil }
        if let failedCheck {
            rollbackTransaction()
            throw failedCheck
        }
        // Nothing was sent: there is nothing to commit.
        if pendingBegin != nil && deferred.isEmpty {
            pendingBegin = nil
            return
        }
        do {
            // Queued writes without checks go out with the COMMIT itself: an error in one
            // aborts the pipeline before the COMMIT runs. A check must see its rows first.
            if !deferred.isEmpty && deferred.allSatisfy({ $0.check == nil }) {
                let rows = try flushDeferred(with: .control("COMMIT"), serial: serial)
                guard rows.last?.commandTag == "COMMIT" else { throw Self.abortedTransactionError }
                return
            }
            if !deferred.isEmpty { try flushDeferred(with: nil, serial: serial) }
            let handle = try openHandle()
            defer { dropIfAbandoned(handle) }
            // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK: a body that
            // swallowed a statement error must not be reported as committed.
            guard PQtransactionStatus(handle.pointer) != PQTRANS_INERROR else {
                _ = try? handle.executeScript("ROLLBACK", cancellable: false)
                throw Self.abortedTransactionError
            }
            let rows = try handle.executeScript("COMMIT")
            guard rows.commandTag == "COMMIT" else { throw Self.abortedTransactionError }
        } catch let error as PostgresTransactionError {
            rollbackTransaction()
            throw error
        } catch {
            rollbackTransaction()
            throw PostgresTransactionError(step: .commit, underlying: error, serial: serial)
        }
    }

    /// Rolls back whatever is open; errors are ignored (the connection may be gone, and the
    /// pool discards connections that are not idle afterwards). Runs even when the task is
    /// cancelled (the transaction is usually being abandoned because of that); the deadline
    /// still bounds it.
    func rollbackTransaction() {
        transaction = nil
        pendingBegin = nil
        deferred = []
        failedCheck = nil
        guard let handle, !handle.isAbandoned, PQstatus(handle.pointer) == CONNECTION_OK,
              PQtransactionStatus(handle.pointer) != PQTRANS_IDLE
        else { return }
        defer { dropIfAbandoned(handle) }
        _ = try? handle.executeScript("ROLLBACK", cancellable: false)
    }

    func transactionQuery(_ query: PostgresQuery, label: String?, serial: UInt64) throws(PostgresTransactionError) -> PostgresRows {
        let index = try nextStatement(label: label, serial: serial)
        let step = PostgresTransactionError.Step.statement(index: index, label: label)
        if pendingBegin != nil || !deferred.isEmpty {
            do {
                try LibPQConnection.validate(query)
            } catch {
                throw PostgresTransactionError(step: step, underlying: error, serial: serial)
            }
            deferred.append(DeferredStatement(query: query, step: step, check: nil))
            guard let rows = try flushDeferred(with: nil, serial: serial).last else {
                throw PostgresTransactionError(step: step, underlying: Self.abortedTransactionError, serial: serial)
            }
            return rows
        }
        do {
            let handle = try openHandle()
            defer { dropIfAbandoned(handle) }
            return try handle.execute(query)
        } catch {
            throw PostgresTransactionError(step: step, underlying: error, serial: serial)
        }
    }

    func transactionScript(_ sql: String, label: String?, serial: UInt64) throws(PostgresTransactionError) -> PostgresRows {
        // A script uses the simple protocol, which a pipeline cannot carry: what is queued goes first.
        if pendingBegin != nil || !deferred.isEmpty { try flushDeferred(with: nil, serial: serial) }
        let index = try nextStatement(label: label, serial: serial)
        do {
            let handle = try openHandle()
            defer { dropIfAbandoned(handle) }
            return try handle.executeScript(sql)
        } catch {
            throw PostgresTransactionError(step: .statement(index: index, label: label), underlying: error, serial: serial)
        }
    }

    func nextStatement(label: String?, serial: UInt64) throws(PostgresTransactionError) -> Int {
        guard let current = transaction, current.serial == serial else {
            throw PostgresTransactionError(
                step: .statement(index: 0, label: label),
                underlying: PostgresError(
                    code: .other("25P01"), sqlState: "25P01",
                    message: "the transaction handle was used after its transaction ended"),
                serial: serial)
        }
        transaction = (serial, current.statements + 1)
        return current.statements + 1
    }

    static var abortedTransactionError: PostgresError {
        PostgresError(
            code: .other("25P02"), sqlState: "25P02",
            message: "the transaction was aborted by an earlier failed statement and has been rolled back")
    }
}
