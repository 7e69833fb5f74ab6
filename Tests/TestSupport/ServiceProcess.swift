import Foundation

/// A package executable started as a separate process the way a deployment starts it: as the
/// service database role on the test database, with none of the owner's or other tests'
/// database URLs in its environment, its HTTP port chosen by the system, and stderr to `log`.
public enum ServiceProcess {
    /// Variables of the test environment that only tests may see.
    public static let testOnlyVariables = [
        "SHIPBOARD_MIGRATION_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_ADMIN_URL",
        "SHIPBOARD_BENCH_DATABASE_URL", "SHIPBOARD_TEST_FAULT_DATABASE_URL", "SHIPBOARD_TEST_FAULT_DATABASE_ADMIN_URL",
    ]

    /// Starts `product` on the broker at `amqpURL` with `settings` added to its environment.
    public static func launch(_ product: String, amqpURL: String, settings: [String: String], log: String) throws -> Process {
        var environment = ProcessInfo.processInfo.environment
        for name in testOnlyVariables { environment[name] = nil }
        environment["SHIPBOARD_DATABASE_URL"] = try TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")
        environment["SHIPBOARD_AMQP_URL"] = amqpURL
        environment["SHIPBOARD_MIGRATIONS_DIR"] = try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR")
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        environment.merge(settings) { _, setting in setting }
        let process = Process()
        process.executableURL = try ProductBinary.locate(product)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        return process
    }

    /// Runs `body` until it returns, or throws `CancellationError` after `limit`.
    public static func within<Value: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CancellationError() }
            return value
        }
    }
}
