extension PostgresQuery {
    /// `SELECT pg_notify($1, $2)`: channel and payload are bound parameters. The channel must
    /// match `^[a-z_][a-z0-9_]{0,62}$`, the names ``PostgresListener`` can LISTEN on.
    public static func notify(channel: String, payload: String) -> PostgresQuery {
        var query: PostgresQuery = "SELECT pg_notify(\(channel), \(payload))"
        if !PostgresIdentifier.isValidChannel(channel) {
            query.deferredError = .invalidIdentifier
        }
        return query
    }
}
