import Foundation
import GatewayCore
import Hummingbird
import AMQP
import AsyncHTTPClient
import Logging
import Messaging
import NIOCore
import NIOPosix
import OpenAPIHummingbird
import Postgres
import ServiceKit

/// shipboard-gateway: the public HTTP API (Services/Gateway/API/openapi.json). Queries read
/// PostgreSQL; commands go to planning by request/reply as the authenticated user.
///
///     shipboard-gateway                     serve (settings from the environment)
///     shipboard-gateway bootstrap-admin N   create the first admin N; print a one-time token
///     shipboard-gateway create-user N R,R   create user N with roles R; print a one-day token
@main
struct GatewayMain {
    static let arguments = ServiceArguments(
        name: "shipboard-gateway",
        summary: "the public HTTP API; `bootstrap-admin NAME` creates the first admin and `create-user NAME ROLE[,ROLE]` a user, each printing a token",
        variables: ServiceConfiguration.documentation + [
            .init("SHIPBOARD_COMMAND_TIMEOUT_SECONDS", default: "10", "how long a command waits for planning before a 504 (1 to 120)"),
            .init("SHIPBOARD_GATEWAY_EVENT_LOOPS", default: "1", "threads that serve HTTP and run the handlers (1 to 64)"),
        ] + GatewaySettings.documentation)

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
        if words.first == "create-user" {
            let roles = words.count == 3 ? words[2].split(separator: ",").map { Role(rawValue: String($0)) } : []
            guard words.count == 3, !roles.isEmpty, roles.allSatisfy({ $0 != nil }) else {
                FileHandle.standardError.write(Data(
                    "shipboard-gateway: usage: shipboard-gateway create-user NAME ROLE[,ROLE...] (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
                exit(2)
            }
            await createUser(words[1], roles: Set(roles.compactMap { $0 }))
            return
        }
        arguments.handleOrExit(words)
        let (configuration, commandTimeout, eventLoops, settings) = ServiceMain.loadOrExit { reader in
            (ServiceConfiguration(serviceName: "shipboard-gateway", defaultHTTPPort: 8080, reader: reader),
             Duration.seconds(reader.int("SHIPBOARD_COMMAND_TIMEOUT_SECONDS", default: 10, range: 1...120)),
             reader.int("SHIPBOARD_GATEWAY_EVENT_LOOPS", default: 1, range: 1...64), GatewaySettings(reader: reader))
        }
        // Run Swift concurrency on the NIO event loops that serve HTTP, so that a handler
        // continues where its request was read instead of waking a dispatch worker at every
        // await. Nothing blocking runs there: libpq and rabbitmq-c calls have their own serial
        // executors, bcrypt a dispatch thread. One loop by default: on the 2-CPU machines
        // measured, a second cost 15-30% more CPU per command in thread hand-offs (README
        // `## Benchmarks`); scale out with replicas, or raise it for a gateway with cores of its own.
        NIOSingletons.groupLoopCountSuggestion = eventLoops
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
        let dmlClient = DMLContentSource.makeClient()
        let commands = PlanningCommands(requests: RequestClient(amqp: client, logger: logger), timeout: commandTimeout)
        let identities = IdentityStore(pool: pool)
        let authentications = AuthenticationCache()
        let router = Router(context: GatewayRequestContext.self)
        OperationsEndpoint.addRoutes(
            to: router,
            checks: [
                ReadinessCheck("postgres", ReadinessProbes.database(pool)),
                ReadinessCheck("rabbitmq", ReadinessProbes.broker(client)),
            ],
            registry: registry)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ContentRangeMiddleware())
        router.add(middleware: BodyLimitMiddleware(uploadLimit: settings.uploadLimit))
        router.add(middleware: BearerAuthentication(store: identities, cache: authentications, logger: logger))
        do {
            let api = GatewayAPIHandler(
                pool: pool, identities: identities, authentications: authentications, commands: commands,
                artifacts: ArtifactUploads(root: settings.uploadRoot, limit: settings.uploadLimit),
                dmlContent: DMLContentSource(baseURL: settings.dmlURL, token: settings.dmlToken, client: dmlClient, logger: logger),
                outboundURLs: settings.outboundURLs)
            try api.registerHandlers(on: router, middlewares: [ProblemMiddleware(logger: logger), AuthorizationMiddleware()])
            // The web dashboard under /ui (issue 15): HTML pages, not part of openapi.json.
            DashboardRoutes(api: api, pages: try DashboardPages()).register(on: router, logger: logger)
            let app = Application(
                router: router, configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort)),
                onServerRunning: { channel in
                    // One line on stdout with the bound port (SHIPBOARD_HTTP_PORT=0 picks one): scripts and tests read it.
                    let port = channel.localAddress?.port ?? 0
                    FileHandle.standardOutput.write(Data("shipboard-gateway: listening on port \(port)\n".utf8))
                },
                logger: logger)
            try await ServiceMain.run(services: [AMQPClientService(client: client), app], configuration: configuration, logger: logger)
            try? await dmlClient.shutdown()
            await pool.close()
        } catch {
            logger.error("shipboard-gateway failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// Creates the first admin and prints their token once (stdout), for `shipboard login`.
    static func bootstrapAdmin(_ name: String) async {
        await withIdentityStore("bootstrap-admin") { store in
            let (user, issued) = try await store.bootstrapAdmin(name: name)
            FileHandle.standardOutput.write(Data("\(issued.token.secret)\n".utf8))
            FileHandle.standardError.write(
                Data("shipboard-gateway: admin \(user.name) created; the token above is shown once and expires \(issued.expiresAt)\n".utf8))
        }
    }

    /// An operator's way in besides the API (it needs the database's credentials, like
    /// bootstrap-admin): creates a user with `roles` and prints a token valid for one day
    /// once (stdout). For scripts such as the API fuzz run; a user that exists is a conflict.
    static func createUser(_ name: String, roles: Set<Role>) async {
        await withIdentityStore("create-user") { store in
            let user = try await store.createUser(name: name, roles: roles, createdBy: "operator")
            let issued = try await store.issueToken(for: user.id, label: "operator", lifetime: .seconds(86_400))
            FileHandle.standardOutput.write(Data("\(issued.token.secret)\n".utf8))
            FileHandle.standardError.write(
                Data("shipboard-gateway: user \(user.name) created; the token above is shown once and expires \(issued.expiresAt)\n".utf8))
        }
    }

    /// Runs `body` on the identity store of the configured database; any error ends the
    /// process with status 1 and one line.
    static func withIdentityStore(_ command: String, _ body: (IdentityStore) async throws -> Void) async {
        let configuration = ServiceMain.loadOrExit { reader in
            ServiceConfiguration(serviceName: "shipboard-gateway", defaultHTTPPort: 8080, reader: reader)
        }
        let pool: PostgresPool
        do {
            pool = PostgresPool(configuration: try PostgresConfiguration(url: configuration.databaseURL), maxConnections: 1)
        } catch {
            FileHandle.standardError.write(Data("shipboard-gateway: \(command): \(error)\n".utf8))
            exit(1)
        }
        do {
            try await body(IdentityStore(pool: pool))
            await pool.close()
        } catch {
            await pool.close()
            FileHandle.standardError.write(Data("shipboard-gateway: \(command): \(error)\n".utf8))
            exit(1)
        }
    }
}
