import AsyncHTTPClient
import Foundation
import GatewayCore
import Postgres

/// shipboard-planning and shipboard-gateway (release builds, beside this benchmark's binary)
/// as processes on the benchmark database and the test vhost (nothing else consumes there
/// while benchmarks run), and a release manager with a token.
struct GatewayBenchmarkStack {
    let planning: Process
    let gateway: Process
    let base: String
    let token: String
    let user: String

    static func start(databaseURL: String, amqpURL: String, migrations: String) async throws -> GatewayBenchmarkStack {
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(
            configuration: try PostgresConfiguration(url: databaseURL))
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: databaseURL), maxConnections: 1)
        let store = IdentityStore(pool: pool, bcryptCost: 4)
        let name = "bench-rm-\(UUID().uuidString.prefix(8).lowercased())"
        let user = try await store.createUser(name: name, roles: [.releaseManager], createdBy: "bench")
        let token = try await store.issueToken(for: user.id, label: "bench", lifetime: .seconds(3600)).token.secret
        await pool.close()

        var environment = ProcessInfo.processInfo.environment
        environment["SHIPBOARD_DATABASE_URL"] = databaseURL
        environment["SHIPBOARD_AMQP_URL"] = amqpURL
        environment["SHIPBOARD_MIGRATIONS_DIR"] = migrations
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        environment["SHIPBOARD_LOG_LEVEL"] = "warning"
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let planning = try launch(directory.appendingPathComponent("shipboard-planning"), environment, output: FileHandle.nullDevice)
        let output = Pipe()
        let gateway = try launch(directory.appendingPathComponent("shipboard-gateway"), environment, output: output)
        var seen = ""
        while !seen.contains("listening on port") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkError("the gateway exited: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        let port = seen.split(separator: "\n").first { $0.contains("listening on port") }!.split(separator: " ").last!
        return GatewayBenchmarkStack(planning: planning, gateway: gateway, base: "http://127.0.0.1:\(port)", token: token, user: name)
    }

    /// Starts the stack, runs `body` with it and an HTTP client (64 connections), and stops
    /// both whether `body` returns or throws.
    static func with<Result>(
        databaseURL: String, amqpURL: String, migrations: String,
        _ body: (GatewayBenchmarkStack, HTTPClient) async throws -> Result
    ) async throws -> Result {
        let stack = try await start(databaseURL: databaseURL, amqpURL: amqpURL, migrations: migrations)
        defer { stack.stop() }
        let http = HTTPClient(configuration: .init(connectionPool: .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
        do {
            let result = try await body(stack, http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func stop() {
        planning.terminate()
        gateway.terminate()
        planning.waitUntilExit()
        gateway.waitUntilExit()
    }

    private static func launch(_ binary: URL, _ environment: [String: String], output: Any) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkError("\(binary.path) is missing: build it with swift build -c release --product \(binary.lastPathComponent)")
        }
        let process = Process()
        process.executableURL = binary
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
