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
        let (configuration, settings) = ServiceMain.loadOrExit { reader in
            (ServiceConfiguration(serviceName: "shipboard-planning", defaultHTTPPort: 8081, reader: reader),
             PlanningSettings(reader: reader))
        }
        let registry = ObservabilityBootstrap.bootstrap(configuration)
        let logger = Logger(label: "shipboard.planning")
        let database: PostgresConfiguration
        let broker: AMQPConfiguration
        do {
            database = try PostgresConfiguration(url: configuration.databaseURL)
            broker = try AMQPConfiguration(url: configuration.amqpURL)
        } catch {
            FileHandle.standardError.write(Data("shipboard-planning: cannot start: \(error)\n".utf8))
            exit(1)
        }
        // Migrations run as the schema owner when SHIPBOARD_MIGRATION_DATABASE_URL is set. Else
        // they use SHIPBOARD_DATABASE_URL, which as the service role (it cannot create tables)
        // works only when every migration is already applied. Every replica may start at once:
        // the migrator serializes them on an advisory lock.
        let migrationVariable = settings.migrationDatabaseURL == nil ? "SHIPBOARD_DATABASE_URL" : "SHIPBOARD_MIGRATION_DATABASE_URL"
        do {
            let owner = try settings.migrationDatabaseURL.map { try PostgresConfiguration(url: $0) } ?? database
            _ = try await PostgresMigrator(directory: URL(fileURLWithPath: settings.migrationsDirectory), logger: logger)
                .migrate(configuration: owner)
        } catch {
            let hint =
                settings.migrationDatabaseURL == nil
                ? " (SHIPBOARD_MIGRATION_DATABASE_URL is not set, so migrations ran as the role of SHIPBOARD_DATABASE_URL;"
                    + " as the service role that works only when every migration is already applied: set"
                    + " SHIPBOARD_MIGRATION_DATABASE_URL to the schema owner's URL or run shipboard-migrate first)"
                : ""
            FileHandle.standardError.write(
                Data("shipboard-planning: cannot start: migrations (\(migrationVariable)): \(error)\(hint)\n".utf8))
            exit(1)
        }
        let pool = PostgresPool(configuration: database, maxConnections: 10, logger: logger)
        let client = AMQPClient(configuration: broker, topology: MessagingTopology.shipboard, logger: logger)
        let runner = ConsumerRunner(
            queue: "planning.commands", schema: PlanningSchema.name, handlers: PlanningCommandHandlers(matrix: settings.priorityMatrix).handlers(),
            pool: pool, amqp: client, logger: logger)
        let relay = OutboxRelay(outbox: Outbox(schema: PlanningSchema.name), pool: pool, amqp: client, logger: logger)
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
                services: [AMQPClientService(client: client), endpoint, relay, runner], configuration: configuration,
                logger: logger)
            await pool.close()
        } catch {
            logger.error("shipboard-planning failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
