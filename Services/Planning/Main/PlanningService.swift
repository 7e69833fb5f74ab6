import AMQP
import Foundation
import Logging
import Messaging
import PlanningCore
import Postgres
import ServiceKit

/// shipboard-planning: checks the database is migrated, then answers planning commands from
/// `planning.commands`, relays its outbox and verifies the audit trail periodically, with a
/// health and metrics endpoint.
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
        // Migrations ran before start-up as the owner (shipboard-migrate); as the service role,
        // which cannot create tables, the migrator only confirms that none is pending.
        do {
            _ = try await PostgresMigrator(directory: URL(fileURLWithPath: settings.migrationsDirectory), logger: logger)
                .migrate(configuration: database)
        } catch {
            FileHandle.standardError.write(
                Data(("shipboard-planning: cannot start: the database is not migrated (\(error)); run shipboard-migrate"
                    + " as the schema owner first\n").utf8))
            exit(1)
        }
        let pool = PostgresPool(configuration: database, maxConnections: 10, logger: logger)
        let client = AMQPClient(configuration: broker, topology: MessagingTopology.shipboard, logger: logger)
        let runner = ConsumerRunner(
            queue: "planning.commands", schema: PlanningSchema.name, handlers: PlanningCommandHandlers(auditKeys: settings.auditKeys, matrix: settings.priorityMatrix).handlers(),
            pool: pool, amqp: client, logger: logger)
        let verifier = AuditVerifier(
            trail: AuditTrail(keyring: settings.auditKeys), pool: pool, interval: settings.auditVerifyInterval, logger: logger)
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
                services: [AMQPClientService(client: client), endpoint, relay, runner, verifier], configuration: configuration,
                logger: logger)
            await pool.close()
        } catch {
            logger.error("shipboard-planning failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
