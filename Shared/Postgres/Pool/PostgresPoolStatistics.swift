/// A snapshot of the pool's counters (for metrics and tests).
public struct PostgresPoolStatistics: Sendable, Hashable {
    /// Connections that exist or are being opened (idle + leased).
    public let open: Int
    /// Connections waiting in the pool.
    public let idle: Int
    /// Connections lent out (or being opened for a borrower).
    public let leased: Int
    /// Tasks waiting for a connection.
    public let waiting: Int

    public init(open: Int, idle: Int, leased: Int, waiting: Int) {
        self.open = open
        self.idle = idle
        self.leased = leased
        self.waiting = waiting
    }
}
