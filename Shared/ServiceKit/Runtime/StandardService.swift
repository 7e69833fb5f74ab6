import AMQP
import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// The start-up every Shipboard service shares, so a service's `main` only names what is its
/// own: its settings, its queue and schema, its handlers, and any extra background work.
///
/// In order: `--help` / `--version`; settings (every problem named, exit 2, before anything
/// connects); logging and metrics; a check, as the service's own role, that no migration is
/// pending (migrations run before, as the owner: `shipboard-migrate`); then the pool, the
/// broker client, the consumer of `queue`, the outbox relay and the health and metrics
/// endpoint run until SIGTERM or SIGINT.
public struct StandardService<Settings: Sendable>: Sendable {
    /// What a service's extra background work gets to work with.
    public struct Context: Sendable {
        public let pool: PostgresPool
        public let amqp: AMQPClient
        public let logger: Logger
        /// `SHIPBOARD_HTTP_HOST`: where a service's own extra listeners bind too.
        public let httpHost: String
        /// The database's settings, for a service's own listening connection (LISTEN/NOTIFY).
        public let database: PostgresConfiguration
    }

    public let name: String
    public let summary: String
    public let defaultHTTPPort: Int
    public let schema: String
    public let queue: String
    /// The queue of the events the service subscribes to, handled by the same handlers.
    public let eventQueue: String?
    /// The service's own variables, for `--help`.
    public let variables: [ConfigurationVariable]
    public let readSettings: @Sendable (ConfigurationReader) -> Settings
    public let migrationsDirectory: @Sendable (Settings) -> String
    public let handlers: @Sendable (Settings) -> MessageHandlers
    public let extraServices: @Sendable (Context, Settings) -> [any Service]

    public init(
        name: String, summary: String, defaultHTTPPort: Int, schema: String, queue: String, eventQueue: String? = nil,
        variables: [ConfigurationVariable], readSettings: @escaping @Sendable (ConfigurationReader) -> Settings,
        migrationsDirectory: @escaping @Sendable (Settings) -> String,
        handlers: @escaping @Sendable (Settings) -> MessageHandlers,
        extraServices: @escaping @Sendable (Context, Settings) -> [any Service] = { _, _ in [] }
    ) {
        self.name = name
        self.summary = summary
        self.defaultHTTPPort = defaultHTTPPort
        self.schema = schema
        self.queue = queue
        self.eventQueue = eventQueue
        self.variables = variables
        self.readSettings = readSettings
        self.migrationsDirectory = migrationsDirectory
        self.handlers = handlers
        self.extraServices = extraServices
    }

    /// Runs the service until it is asked to stop; exits the process on a start-up problem.
    public func run(arguments: [String] = CommandLine.arguments) async {
        ServiceArguments(name: name, summary: summary, variables: ServiceConfiguration.documentation + variables)
            .handleOrExit(Array(arguments.dropFirst()))
        let (configuration, settings) = ServiceMain.loadOrExit { reader in
            (ServiceConfiguration(serviceName: name, defaultHTTPPort: defaultHTTPPort, reader: reader), readSettings(reader))
        }
        let registry = ObservabilityBootstrap.bootstrap(configuration)
        let logger = Logger(label: "shipboard.\(name.replacingOccurrences(of: "shipboard-", with: ""))")
        let database: PostgresConfiguration
        let broker: AMQPConfiguration
        do {
            database = try PostgresConfiguration(url: configuration.databaseURL)
            broker = try AMQPConfiguration(url: configuration.amqpURL)
        } catch {
            fail("cannot start: \(error)")
        }
        do {
            _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrationsDirectory(settings)), logger: logger)
                .migrate(configuration: database)
        } catch {
            fail("cannot start: the database is not migrated (\(error)); run shipboard-migrate as the schema owner first")
        }
        let pool = PostgresPool(configuration: database, maxConnections: 10, logger: logger)
        let client = AMQPClient(configuration: broker, topology: MessagingTopology.shipboard, logger: logger)
        let runner = ConsumerRunner(
            queue: queue, schema: schema, handlers: handlers(settings), pool: pool, amqp: client, logger: logger)
        let eventRunner = eventQueue.map {
            ConsumerRunner(queue: $0, schema: schema, handlers: handlers(settings), pool: pool, amqp: client, logger: logger)
        }
        let relay = OutboxRelay(outbox: Outbox(schema: schema), pool: pool, amqp: client, logger: logger)
        let endpoint = OperationsEndpoint(
            host: configuration.httpHost, port: configuration.httpPort,
            checks: [
                ReadinessCheck("postgres", ReadinessProbes.database(pool)),
                ReadinessCheck("rabbitmq", ReadinessProbes.broker(client)),
                ReadinessCheck("consumer", runner.readiness),
            ] + (eventRunner.map { [ReadinessCheck("event consumer", $0.readiness)] } ?? []),
            registry: registry)
        let extra = extraServices(Context(pool: pool, amqp: client, logger: logger, httpHost: configuration.httpHost, database: database), settings)
        do {
            try await ServiceMain.run(
                services: [AMQPClientService(client: client), endpoint, relay, runner] + (eventRunner.map { [$0] } ?? []) + extra,
                configuration: configuration,
                logger: logger)
            await pool.close()
        } catch {
            logger.error("\(name) failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
        exit(1)
    }
}
