import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// Wakes this replica's dispatcher when any replica records deliveries (PostgreSQL NOTIFY,
/// sent on commit), so a message goes out as soon as it exists instead of at the next poll.
public struct DeliveryWakeListener: Service {
    let database: PostgresConfiguration
    let channel: String
    let wake: WakeSignal
    let logger: Logger

    public init(database: PostgresConfiguration, channel: String, wake: WakeSignal, logger: Logger) {
        self.database = database
        self.channel = channel
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let listener = PostgresListener(configuration: database, logger: logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    // Every notification, and a reconnection (notifications may have been missed), wakes.
                    for await _ in try await listener.listen(channel) { await wake.signal() }
                    return
                } catch {
                    logger.warning("listening for deliveries failed; the dispatcher polls meanwhile", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(2))
                }
            }
        }
        await listener.stop()
    }
}
