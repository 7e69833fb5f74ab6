import Foundation
import GatewayCore
import Hummingbird
import AMQP
import Logging
import Messaging
import OpenAPIHummingbird
import Postgres
import ServiceKit

/// shipboard-gateway: the public HTTP API (Services/Gateway/API/openapi.json). Queries read
/// PostgreSQL; commands go to planning by request/reply as the authenticated user.
///
///     shipboard-gateway                     serve (settings from the environment)
///     shipboard-gateway bootstrap-admin N   create the first admin N; print a one-time token
@main
struct GatewayMain {
    static let arguments = ServiceArguments(
        name: "shipboard-gateway",
        summary: "the public HTTP API; `bootstrap-admin NAME` creates the first admin and prints a token",
        variables: ServiceConfiguration.documentation + [
            .init("SHIPBOARD_COMMAND_TIMEOUT_SECONDS", default: "10", "how long a command waits for planning before a 504 (1 to 120)"),
        ])

    static func main() async {
        let words = Array(CommandLine.arguments.dropFirst())
        if words.first == "bootstrap-admin" {
            guard words.count == 2 else {
                FileHandle.standardError.write(Data("shipboard-gateway: usage: shipboard-gateway bootstrap-admin NAME\n".utf8))
                exit(2)
            }
            await bootstrapAdmin(words[1])
            return
        }
        arguments.handleOrExit(words)
        let configuration = ServiceMain.loadOrExit { reader in
            ServiceConfiguration(serviceName: "shipboard-gateway", defaultHTTPPort: 8080, reader: reader)
        }
        let registry = ObservabilityBootstrap.bootstrap(configuration)
        let logger = Logger(label: "shipboard.gateway")
        let pool: PostgresPool
        let client: AMQPClient
        do {
            pool = PostgresPool(configuration: try PostgresConfiguration(url: configuration.databaseURL), maxConnections: 20, logger: logger)
            client = AMQPClient(
                configuration: try AMQPConfiguration(url: configuration.amqpURL), topology: MessagingTopology.shipboard, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("shipboard-gateway: cannot start: \(error)\n".utf8))
            exit(1)
        }
        let commands = PlanningCommands(requests: RequestClient(amqp: client, logger: logger), timeout: commandTimeout)
        let identities = IdentityStore(pool: pool)
        let router = OperationsEndpoint.router(
            checks: [
                ReadinessCheck("postgres", ReadinessProbes.database(pool)),
                ReadinessCheck("rabbitmq", ReadinessProbes.broker(client)),
            ],
            registry: registry)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        router.add(middleware: BearerAuthentication(store: identities, logger: logger))
        do {
            try GatewayAPIHandler(pool: pool, identities: identities, commands: commands).registerHandlers(
                on: router, middlewares: [ProblemMiddleware(logger: logger), AuthorizationMiddleware()])
            let app = Application(
                router: router, configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort)),
                onServerRunning: { channel in
                    // One line on stdout with the bound port (SHIPBOARD_HTTP_PORT=0 picks one): scripts and tests read it.
                    let port = channel.localAddress?.port ?? 0
                    FileHandle.standardOutput.write(Data("shipboard-gateway: listening on port \(port)\n".utf8))
                },
                logger: logger)
            try await ServiceMain.run(services: [AMQPClientService(client: client), app], configuration: configuration, logger: logger)
            await pool.close()
        } catch {
            logger.error("shipboard-gateway failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// How long a command may wait for planning's answer before the caller gets a 504.
    static var commandTimeout: Duration {
        let text = ProcessInfo.processInfo.environment["SHIPBOARD_COMMAND_TIMEOUT_SECONDS"] ?? ""
        return .seconds(Int(text).map { min(max($0, 1), 120) } ?? 10)
    }

    /// Creates the first admin and prints their token once (stdout), for `shipboard login`.
    static func bootstrapAdmin(_ name: String) async {
        let configuration = ServiceMain.loadOrExit { reader in
            ServiceConfiguration(serviceName: "shipboard-gateway", defaultHTTPPort: 8080, reader: reader)
        }
        do {
            let pool = PostgresPool(configuration: try PostgresConfiguration(url: configuration.databaseURL), maxConnections: 1)
            let (user, issued) = try await IdentityStore(pool: pool).bootstrapAdmin(name: name)
            await pool.close()
            FileHandle.standardOutput.write(Data("\(issued.token.secret)\n".utf8))
            FileHandle.standardError.write(
                Data("shipboard-gateway: admin \(user.name) created; the token above is shown once and expires \(issued.expiresAt)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("shipboard-gateway: bootstrap-admin: \(error)\n".utf8))
            exit(1)
        }
    }
}
