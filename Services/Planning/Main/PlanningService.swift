import AMQP
import Foundation
import Logging
import Messaging
import PlanningCore
import Postgres
import ServiceKit

/// shipboard-planning: applies migrations, then answers planning commands from
/// `planning.commands` and relays its outbox, with a health and metrics endpoint.
@main
struct PlanningService {
    static func main() async {
        let (configuration, migrations) = ServiceMain.loadOrExit { reader in
            (ServiceConfiguration(serviceName: "shipboard-planning", defaultHTTPPort: 8081, reader: reader),
             reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations"))
        }
        let registry = ObservabilityBootstrap.bootstrap(configuration)
        let logger = Logger(label: "shipboard.planning")
        let database: PostgresConfiguration
        let broker: AMQPConfiguration
        do {
            database = try PostgresConfiguration(url: configuration.databaseURL)
            broker = try AMQPConfiguration(url: configuration.amqpURL)
            // Every replica may start at once: the migrator serializes them on an advisory lock.
            _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations), logger: logger).migrate(configuration: database)
        } catch {
            FileHandle.standardError.write(Data("shipboard-planning: cannot start: \(error)\n".utf8))
            exit(1)
        }
        let pool = PostgresPool(configuration: database, maxConnections: 10, logger: logger)
        let client = AMQPClient(configuration: broker, topology: MessagingTopology.shipboard, logger: logger)
        let runner = ConsumerRunner(
            queue: "planning.commands", schema: PlanningSchema.name, handlers: PlanningCommandHandlers().handlers(),
            pool: pool, amqp: client, logger: logger)
        let relay = OutboxRelay(outbox: Outbox(schema: PlanningSchema.name), pool: pool, amqp: client, logger: logger)
        let endpoint = OperationsEndpoint(
            host: configuration.httpHost, port: configuration.httpPort,
            checks: [
                ReadinessCheck("postgres", ReadinessProbes.database(pool)),
                ReadinessCheck("rabbitmq", ReadinessProbes.broker(client)),
            ],
            registry: registry)
        do {
            try await ServiceMain.run(
                services: [AMQPClientService(client: client), endpoint, relay, runner], configuration: configuration,
                logger: logger)
            await pool.close()
        } catch {
            logger.error("shipboard-planning failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
