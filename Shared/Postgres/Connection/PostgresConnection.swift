import CLibPQ
import Logging

/// One PostgreSQL connection.
///
/// An actor whose executor is a private serial `DispatchQueue`: every libpq call for this
/// connection runs there, one at a time, so blocking network calls never occupy Swift's
/// cooperative thread pool and the non-thread-safe `PGconn` is never shared between
/// threads. Use it through a ``PostgresPool`` unless you need a dedicated connection.
///
/// Every statement ends: the server's `statement_timeout`, the client's `queryTimeout` and the
/// calling task's cancellation all stop it (``PostgresError/Code/clientTimeout``,
/// ``PostgresError/Code/taskCancelled``). A connection whose statement could not be stopped
/// cleanly (a frozen backend) is closed on the spot, so later calls fail with
/// ``PostgresError/Code/connectionLost`` and a pool replaces it.
///
/// ```swift
/// let connection = try await PostgresConnection.connect(configuration: configuration)
/// let rows = try await connection.query("SELECT name FROM planning.releases WHERE id = \(id)")
/// let name = try rows.single().decode(String.self)
/// ```
public actor PostgresConnection {
    let executor: PostgresQueueExecutor
    /// The libpq handle; `nil` once closed. Only touched on `executor`.
    var handle: LibPQConnection?
    /// The configuration this connection was opened with.
    public nonisolated let configuration: PostgresConfiguration
    nonisolated let logger: Logger
    /// The server process id serving this connection (`pg_backend_pid()`).
    public private(set) var backendPID: Int32 = 0
    /// The open transaction's number and statement count (for error reports); `nil` outside.
    var transaction: (serial: UInt64, statements: Int)?
    var transactionSerial: UInt64 = 0
    /// The open transaction's `BEGIN` until it goes out with the first statement.
    var pendingBegin: String?
    /// Statements queued by ``PostgresTransaction/enqueue(_:label:check:)``, sent with the
    /// next statement or with `COMMIT`.
    var deferred: [DeferredStatement] = []
    /// The first queued statement whose check failed: the transaction must not commit, even
    /// if its body caught the error.
    var failedCheck: PostgresTransactionError?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.executor = PostgresQueueExecutor(label: "shipboard.postgres.connection")
    }

    /// Opens a connection. Blocks one dispatch thread (not the caller's) for up to
    /// `configuration.connectTimeout` seconds; fails with ``PostgresError/Code/connectionFailure``
    /// and a ``PostgresError/ConnectionFailure`` reason.
    public static func connect(
        configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "shipboard.postgres")
    ) async throws(PostgresError) -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        try await connection.open()
        return connection
    }

    private func open() throws(PostgresError) {
        do {
            let handle = try LibPQConnection.connect(configuration)
            self.handle = handle
            backendPID = PQbackendPID(handle.pointer)
            logger.debug(
                "postgres connection opened",
                metadata: ["postgres.host": "\(configuration.host)", "postgres.backend_pid": "\(backendPID)"])
        } catch {
            logger.debug(
                "postgres connection failed",
                metadata: ["postgres.host": "\(configuration.host)", "postgres.error": "\(error)"])
            throw error
        }
    }

    /// Closes the connection (`PQfinish`). Later calls fail with `connectionLost`.
    public func close() {
        handle = nil
        transaction = nil
        pendingBegin = nil
        deferred = []
        failedCheck = nil
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { handle == nil }

    /// Runs a query with bound parameters and returns every row.
    ///
    /// Throws ``PostgresError`` for server or connection errors and ``PostgresEncodingError``
    /// for a value that cannot be sent (e.g. a `String` containing NUL).
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        let handle = try openHandle()
        defer { dropIfAbandoned(handle) }
        return try handle.execute(query)
    }

    /// Runs trusted SQL text that may contain several statements (`PQexec`, no parameters),
    /// such as a migration file from the repository. Never pass text built from input.
    @discardableResult
    public func executeUnsafeScript(_ sql: String) throws(PostgresError) -> PostgresRows {
        let handle = try openHandle()
        defer { dropIfAbandoned(handle) }
        return try handle.executeScript(sql)
    }

    /// Whether the idle connection can take work: connected, no open transaction, and the
    /// server has not closed it. Does not block.
    func isReusable() -> Bool {
        handle?.isReusable() ?? false
    }

    /// Whether the connection is up and outside any transaction, judged from libpq's state
    /// alone (no socket read): the cheap check when a borrower hands it back.
    func isIdle() -> Bool {
        handle?.isIdle ?? false
    }

    /// Waits up to `timeoutMilliseconds` for notifications on this connection (after LISTEN).
    func waitForNotifications(timeoutMilliseconds: Int32) throws(PostgresError) -> [PostgresNotification] {
        try openHandle().waitForNotifications(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Closes the connection when a statement had to give up on it (its backend did not
    /// answer a cancel request): nothing may run on it again. The open transaction record is
    /// kept, so the transaction's next step reports the lost connection.
    func dropIfAbandoned(_ used: LibPQConnection) {
        guard used.isAbandoned, handle === used else { return }
        handle = nil
        logger.warning(
            "postgres connection abandoned after an unanswered statement",
            metadata: ["postgres.backend_pid": "\(backendPID)"])
    }

    func openHandle() throws(PostgresError) -> LibPQConnection {
        guard let handle else {
            throw PostgresError(code: .connectionLost, message: "the connection is closed")
        }
        return handle
    }
}
