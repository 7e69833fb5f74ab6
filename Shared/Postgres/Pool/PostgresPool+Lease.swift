extension PostgresPool {
    /// Lends a connection to `body` and takes it back afterwards, also when `body` throws.
    ///
    /// The connection belongs to this call alone until it returns: never hand it to a task
    /// that outlives `body`. A connection that broke or was left inside a transaction is
    /// closed instead of returned, and its slot is reused for a fresh one.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await giveBack(connection)
            throw error
        }
        await giveBack(connection)
        return result
    }

    /// A checked connection: an idle one that passed the non-blocking liveness check, or a
    /// new one. A dead idle connection (e.g. its backend was terminated) is closed and
    /// replaced in the same slot.
    private nonisolated func lease() async throws -> PostgresConnection {
        let slot = try await acquireSlot()
        if case .connection(let connection) = slot {
            if await connection.isReusable() {
                return connection
            }
            logger.info("postgres idle connection is broken; replacing it")
            await connection.close()
        }
        do {
            return try await PostgresConnection.connect(configuration: configuration, logger: logger)
        } catch {
            _ = await releaseSlot(nil)
            throw error
        }
    }

    /// Returns the connection, or closes it when it broke or was left in a transaction. The
    /// socket is checked on the next lease, so this check reads libpq's state only.
    private nonisolated func giveBack(_ connection: PostgresConnection) async {
        if await connection.isIdle() {
            if await !releaseSlot(connection) {
                await connection.close()
            }
        } else {
            // Close first so the replacement never makes the pool exceed its bound.
            await connection.close()
            _ = await releaseSlot(nil)
        }
    }
}
