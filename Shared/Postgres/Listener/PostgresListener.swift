import Logging

/// Receives `NOTIFY` messages on a dedicated connection.
///
/// ```swift
/// let listener = PostgresListener(configuration: configuration)
/// for await event in try await listener.listen("release_changed") {
///     switch event {
///     case .notification(let note): handle(note.payload)
///     case .reconnected: resynchronize()   // notifications may have been missed
///     }
/// }
/// await listener.stop()
/// ```
///
/// A background task waits on the connection's socket (`poll()` with a short timeout, on
/// the connection's own executor) and fans notifications out to the streams of their
/// channel. When the connection is lost it reconnects with exponential backoff, LISTENs
/// again and sends ``Event/reconnected`` to every stream. Call ``stop()`` when done: the
/// background task keeps the listener alive until then.
public actor PostgresListener {
    /// What a ``listen(_:)`` stream delivers.
    public enum Event: Sendable, Hashable {
        /// A notification on the stream's channel.
        case notification(PostgresNotification)
        /// The connection was re-established; notifications sent meanwhile were missed.
        case reconnected
    }

    /// Connection settings for the listening connection.
    public nonisolated let configuration: PostgresConfiguration
    nonisolated let logger: Logger
    /// How long one wait on the socket lasts; bounds how long ``listen(_:)`` and
    /// ``stop()`` wait for the connection.
    nonisolated let pollInterval: Duration
    nonisolated let maxReconnectDelay: Duration

    private var connection: PostgresConnection?
    private var subscribers: [String: [UInt64: AsyncStream<Event>.Continuation]] = [:]
    private var nextSubscriberID: UInt64 = 0
    private var loop: Task<Void, Never>?
    private var isStopped = false

    /// Creates a listener; it connects on the first ``listen(_:)``.
    public init(
        configuration: PostgresConfiguration,
        pollInterval: Duration = .milliseconds(200),
        maxReconnectDelay: Duration = .seconds(5),
        logger: Logger = Logger(label: "shipboard.postgres.listener")
    ) {
        self.configuration = configuration
        self.pollInterval = pollInterval
        self.maxReconnectDelay = maxReconnectDelay
        self.logger = logger
    }

    /// Subscribes to `channel` (`^[a-z_][a-z0-9_]{0,62}$`; validated, then quoted into
    /// `LISTEN`, which cannot take a bound parameter). The first call connects and throws
    /// if that fails. The stream ends when ``stop()`` is called.
    public func listen(_ channel: String) async throws -> AsyncStream<Event> {
        guard PostgresIdentifier.isValidChannel(channel) else {
            throw PostgresEncodingError(.invalidIdentifier)
        }
        guard !isStopped else { throw PostgresError(code: .connectionLost, message: "the listener was stopped") }
        if connection == nil && loop == nil {
            connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
        }
        let isNewChannel = subscribers[channel, default: [:]].isEmpty
        nextSubscriberID += 1
        let id = nextSubscriberID
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        subscribers[channel, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(channel, id: id) }
        }
        // While reconnecting there is no connection; the reconnect LISTENs on every channel.
        if isNewChannel, let connection {
            do {
                try await connection.query(Self.listenStatement(channel))
            } catch {
                subscribers[channel]?[id] = nil
                continuation.finish()
                throw error
            }
        }
        if loop == nil {
            loop = Task { await self.run() }
        }
        return stream
    }

    /// Stops listening: ends every stream and closes the connection.
    public func stop() async {
        isStopped = true
        let task = loop
        loop = nil
        task?.cancel()
        await task?.value
        for continuation in subscribers.values.flatMap(\.values) {
            continuation.finish()
        }
        subscribers.removeAll()
        await connection?.close()
        connection = nil
    }

    private func unsubscribe(_ channel: String, id: UInt64) {
        subscribers[channel]?[id] = nil
    }

    private static func listenStatement(_ channel: String) -> PostgresQuery {
        "LISTEN \(identifier: channel)"
    }

    // MARK: Background loop

    private func run() async {
        let timeout = Int32(clamping: pollInterval.components.seconds * 1000
            + pollInterval.components.attoseconds / 1_000_000_000_000_000)
        while !Task.isCancelled {
            guard let connection else {
                await reconnect()
                continue
            }
            do {
                let notifications = try await connection.waitForNotifications(timeoutMilliseconds: max(1, timeout))
                for notification in notifications {
                    for continuation in (subscribers[notification.channel] ?? [:]).values {
                        continuation.yield(.notification(notification))
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "postgres listener lost its connection; reconnecting",
                    metadata: ["postgres.error": "\(error)"])
                await connection.close()
                self.connection = nil
            }
        }
    }

    /// Connects with exponential backoff until it succeeds or the loop is cancelled, then
    /// LISTENs on every channel and tells every stream.
    private func reconnect() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
                self.connection = connection
                for channel in subscribers.keys {
                    try await connection.query(Self.listenStatement(channel))
                }
                for continuation in subscribers.values.flatMap(\.values) {
                    continuation.yield(.reconnected)
                }
                logger.info("postgres listener reconnected")
                return
            } catch {
                await connection?.close()
                connection = nil
                logger.warning(
                    "postgres listener reconnect failed",
                    metadata: ["postgres.error": "\(error)", "postgres.retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, maxReconnectDelay)
            }
        }
    }
}
