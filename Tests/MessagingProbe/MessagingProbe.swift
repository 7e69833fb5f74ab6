import AMQP
import Contracts
import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit
import ServiceLifecycle

/// A minimal service for the messaging tests, run as a separate process so a test can
/// kill -9 it in the middle of a handler or send it SIGTERM during a burst.
///
/// It consumes `PROBE_QUEUE` (bound to `PROBE_ROUTING_KEY` on `shipboard.events`, and to
/// `PROBE_COMMAND_ROUTING_KEY` on `shipboard.commands` when set) and records each
/// `test.recorded` event and each fire-and-forget `test.record` command as one row in
/// `<PROBE_SCHEMA>.effects`, sleeping `PROBE_HANDLER_DELAY_MS` inside the handler's
/// transaction (after the insert, before commit). `/health/ready` includes the consumer
/// runner's readiness (down while its database is).
@main
struct MessagingProbe {
    struct Recorded: EventContract {
        static let messageType = "test.recorded"
        var value: String
    }

    struct Record: CommandContract {
        typealias Result = Acknowledged
        static let messageType = "test.record"
        var value: String
    }

    static func main() async {
        ServiceArguments(
            name: "messaging-probe", summary: "a minimal consumer for the messaging tests (not deployed)",
            variables: ServiceConfiguration.documentation
        ).handleOrExit(Array(CommandLine.arguments.dropFirst()))
        let (configuration, settings) = ServiceMain.loadOrExit { reader in
            (ServiceConfiguration(serviceName: "messaging-probe", defaultHTTPPort: 0, reader: reader), ProbeSettings(reader))
        }
        let registry = ObservabilityBootstrap.bootstrap(configuration)
        let logger = Logger(label: "shipboard.probe")
        let database: PostgresConfiguration
        let broker: AMQPConfiguration
        do {
            database = try PostgresConfiguration(url: configuration.databaseURL)
            broker = try AMQPConfiguration(url: configuration.amqpURL)
        } catch {
            FileHandle.standardError.write(Data("configuration error: \(error)\n".utf8))
            exit(2)
        }
        let pool = PostgresPool(configuration: database, maxConnections: 8)
        let bindings = [(Exchanges.events, settings.routingKey)] + (settings.commandRoutingKey.map { [(Exchanges.commands, $0)] } ?? [])
        let topology = MessagingTopology.workQueue(settings.queue, bindings: bindings)
        var fullTopology = AMQPTopology(exchanges: MessagingTopology.exchanges)
        fullTopology.merge(topology)
        let client = AMQPClient(configuration: broker, topology: fullTopology, logger: logger)

        var handlers = MessageHandlers()
        let schema = settings.schema
        let delay = settings.handlerDelay
        handlers.on(Recorded.self) { envelope, context in
            try await context.transaction.query(
                "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
            if delay > .zero { try await Task.sleep(for: delay) }
        }
        handlers.on(Record.self) { envelope, context in
            try await context.transaction.query(
                "INSERT INTO \(identifier: schema).effects (message_id, value) VALUES (\(envelope.id), \(envelope.payload.value))")
            if delay > .zero { try await Task.sleep(for: delay) }
        }
        let runner = ConsumerRunner(
            queue: settings.queue, schema: schema, handlers: handlers, pool: pool, amqp: client,
            prefetch: 20, concurrency: settings.concurrency,
            retry: RetryPolicy(delays: [.milliseconds(100)], maxAttempts: 3), logger: logger)
        let endpoint = OperationsEndpoint(
            host: configuration.httpHost, port: configuration.httpPort,
            checks: [
                ReadinessCheck("postgres", ReadinessProbes.database(pool)),
                ReadinessCheck("rabbitmq", ReadinessProbes.broker(client)),
                ReadinessCheck("consumer", runner.readiness),
            ],
            registry: registry)
        do {
            try await ServiceMain.run(
                services: [AMQPClientService(client: client), endpoint, runner], configuration: configuration, logger: logger)
            await pool.close()
        } catch {
            logger.error("probe failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
