import Logging

/// A bounded set of PostgreSQL connections, opened lazily and lent to one task at a time.
///
/// The actor only keeps the books (idle list, slot count, FIFO waiters); queries run on
/// the connections' own executors. The entry points take the caller's isolation, so their
/// closures never cross into the pool.
///
/// ```swift
/// let pool = PostgresPool(configuration: configuration, maxConnections: 8)
/// let rows = try await pool.query("SELECT 1")
/// try await pool.withTransaction { tx in … }
/// ```
///
/// Invariants: `idle.count + leased <= maxConnections`; a connection is either in `idle`
/// or lent to exactly one borrower; waiters are served in arrival order.
public actor PostgresPool {
    /// Connection settings for every connection of the pool.
    public nonisolated let configuration: PostgresConfiguration
    /// The most connections open at once.
    public nonisolated let maxConnections: Int
    /// How long a borrower waits for a connection before ``PostgresPoolError/Reason/acquireTimeout``
    /// (``defaultAcquireTimeout`` unless given); `nil` waits forever.
    public nonisolated let acquireTimeout: Duration?
    /// The acquire timeout of a pool that is not given one: 10 s. Long enough to ride out a
    /// burst, short enough that a borrower learns the database is unavailable rather than
    /// hanging behind connections stuck on a dead server.
    public static let defaultAcquireTimeout = Duration.seconds(10)
    nonisolated let logger: Logger

    /// What a borrower gets: an idle connection, or the right to open one.
    enum Slot: Sendable {
        case connection(PostgresConnection)
        case open
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Slot, any Error>
        let timeout: Task<Void, Never>?
    }

    private var idle: [PostgresConnection] = []
    /// Slots lent out: connections in use plus connections being opened for a borrower.
    private var leased = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var isClosed = false

    /// Creates a pool; no connection is opened until first use.
    public init(
        configuration: PostgresConfiguration,
        maxConnections: Int = 4,
        acquireTimeout: Duration? = PostgresPool.defaultAcquireTimeout,
        logger: Logger = Logger(label: "shipboard.postgres.pool")
    ) {
        self.configuration = configuration
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.logger = logger
    }

    /// Current counters.
    public var statistics: PostgresPoolStatistics {
        PostgresPoolStatistics(
            open: idle.count + leased, idle: idle.count, leased: leased, waiting: waiters.count)
    }

    /// Closes idle connections, fails waiting borrowers and refuses new ones. Connections in
    /// use are closed when they come back.
    public func close() async {
        isClosed = true
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresPoolError(reason: .closed))
        }
        let connections = idle
        idle.removeAll()
        for connection in connections {
            await connection.close()
        }
    }

    // MARK: Slot bookkeeping

    func acquireSlot() async throws -> Slot {
        guard !isClosed else { throw PostgresPoolError(reason: .closed) }
        // Newcomers queue behind existing waiters (FIFO fairness).
        if waiters.isEmpty {
            if let connection = idle.popLast() {
                leased += 1
                return .connection(connection)
            }
            if idle.count + leased < maxConnections {
                leased += 1
                return .open
            }
        }
        nextWaiterID += 1
        let id = nextWaiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timeout = acquireTimeout.map { limit in
                    Task { [weak self] in
                        guard (try? await Task.sleep(for: limit)) != nil else { return }
                        await self?.failWaiter(id, with: PostgresPoolError(reason: .acquireTimeout))
                    }
                }
                waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
            }
        } onCancel: {
            Task { await self.failWaiter(id, with: CancellationError()) }
        }
    }

    private func failWaiter(_ id: UInt64, with error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timeout?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// Returns a slot. With a connection, it is kept (idle or handed to the next waiter) and
    /// `true` is returned; `false` means the pool is closed and the caller must close it.
    /// Without one, the slot itself passes to the next waiter, who opens a new connection.
    func releaseSlot(_ connection: PostgresConnection?) -> Bool {
        if isClosed {
            leased -= 1
            return false
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: connection.map { .connection($0) } ?? .open)
            return true
        }
        leased -= 1
        if let connection {
            idle.append(connection)
        }
        return true
    }
}
