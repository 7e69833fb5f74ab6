extension PostgresPool {
    /// Runs one query on a pooled connection.
    @discardableResult
    public nonisolated func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { connection in
            try await connection.query(query)
        }
    }

    /// Runs `body` in a transaction on a pooled connection (see
    /// ``PostgresConnection/withTransaction(isolation:_:retries:_:)``). With `retries > 0`,
    /// serialization failures, deadlocks and connections lost before COMMIT rerun the whole
    /// transaction on a fresh lease.
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ level: PostgresIsolationLevel = .readCommitted,
        retries: Int = 0,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            do {
                return try await withConnection(isolation: isolation) { connection in
                    try await connection.withTransaction(isolation: isolation, level, body)
                }
            } catch let error as PostgresTransactionError where attempt < retries && error.isRetryable {
                attempt += 1
                try await Task.sleep(for: PostgresTransactionError.backoff(attempt: attempt))
            }
        }
    }

    /// Sends a notification: `SELECT pg_notify($1, $2)` with both values bound.
    public nonisolated func notify(channel: String, payload: String) async throws {
        try await query(.notify(channel: channel, payload: payload))
    }
}
