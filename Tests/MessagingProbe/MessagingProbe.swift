import AMQP
import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// A minimal service for the messaging tests, run as a separate process so a test can
/// kill -9 it in the middle of a handler or send it SIGTERM during a burst.
///
/// It consumes `PROBE_QUEUE` (bound to `PROBE_ROUTING_KEY` on `shipboard.events`) and
/// records each `test.recorded` event as one row in `<PROBE_SCHEMA>.effects`, sleeping
/// `PROBE_HANDLER_DELAY_MS` inside the handler's transaction (after the insert, before commit).
@main
struct MessagingProbe {
    struct Recorded: EventContract {
        static let messageType = "test.recorded"
        var value: String
    }

    static func main() async {
        let settings: ProbeSettings
        do {
            settings = try ProbeSettings(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("messaging-probe: \(error)\n".utf8))
            exit(2)
        }
        var logger = Logger(label: "shipboard.probe")
        logger.logLevel = .info
        let pool = PostgresPool(configuration: settings.database, maxConnections: 8)
        let topology = MessagingTopology.workQueue(settings.queue, bindings: [(Exchanges.events, settings.routingKey)])
        var fullTopology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        fullTopology.merge(topology)
        let client = AMQPClient(configuration: settings.broker, topology: fullTopology, logger: logger)

        var handlers = MessageHandlers()
        let schema = settings.schema
        let delay = settings.handlerDelay
        handlers.on(Recorded.self) { envelope, context in
            try await context.transaction.query(
                "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
            if delay > .zero { try await Task.sleep(for: delay) }
        }
        let runner = ConsumerRunner(
            queue: settings.queue, schema: schema, handlers: handlers, pool: pool, amqp: client,
            prefetch: 20, concurrency: settings.concurrency,
            retry: RetryPolicy(delays: [.milliseconds(100)], maxAttempts: 3), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: AMQPClientService(client: client)), .init(service: runner)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            await pool.close()
            logger.info("probe stopped cleanly")
        } catch {
            logger.error("probe failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
