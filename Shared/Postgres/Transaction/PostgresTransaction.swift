/// The handle a `withTransaction` body uses to run statements in the transaction.
///
/// Each statement is numbered from 1, so a failure reports
/// ``PostgresTransactionError/Step/statement(index:label:)`` with the optional label.
public struct PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let serial: UInt64

    /// Runs a statement in the transaction; `label` (e.g. `"insert release"`) names it in errors.
    @discardableResult
    public func query(_ query: PostgresQuery, label: String? = nil) async throws(PostgresTransactionError) -> PostgresRows {
        try await connection.transactionQuery(query, label: label, serial: serial)
    }

    /// Queues a statement whose rows the caller does not read, such as an `INSERT` or an
    /// `UPDATE` of a row this transaction has locked: it goes to the server with the next
    /// statement, or with `COMMIT`, in one round trip for all of them (libpq's pipeline mode),
    /// in the order queued, so a later read sees it.
    ///
    /// Its errors arrive with that later statement (or the commit) but still name this
    /// statement's index and label. `check` judges its rows when they arrive (e.g. "exactly
    /// one row updated"); if it throws, the transaction fails and can no longer commit.
    public func enqueue(
        _ query: PostgresQuery, label: String? = nil, check: (@Sendable (PostgresRows) throws -> Void)? = nil
    ) async throws(PostgresTransactionError) {
        try await connection.enqueue(query, label: label, check: check, serial: serial)
    }

    /// Runs `queries` in one round trip (after anything queued), in order, and returns each
    /// one's rows. Each statement starts after the one before it has finished, so under READ
    /// COMMITTED a read placed after a `FOR UPDATE` sees the data as of the lock.
    public func query(batch queries: [(query: PostgresQuery, label: String?)]) async throws(PostgresTransactionError) -> [PostgresRows] {
        try await connection.transactionBatch(queries, serial: serial)
    }

    /// Runs trusted multi-statement SQL in the transaction (see
    /// ``PostgresConnection/executeUnsafeScript(_:)``).
    @discardableResult
    public func executeUnsafeScript(_ sql: String, label: String? = nil) async throws(PostgresTransactionError) -> PostgresRows {
        try await connection.transactionScript(sql, label: label, serial: serial)
    }

    /// Sends `pg_notify(channel, payload)`; delivered only if the transaction commits.
    public func notify(channel: String, payload: String, label: String? = nil) async throws(PostgresTransactionError) {
        try await query(PostgresQuery.notify(channel: channel, payload: payload), label: label ?? "notify \(channel)")
    }

    /// The server process id of the transaction's connection.
    public var backendPID: Int32 {
        get async { await connection.backendPID }
    }
}
