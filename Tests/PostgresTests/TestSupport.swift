import Foundation
import Postgres
import Testing

/// A precondition of the integration tests that is not met (e.g. no test database).
struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}

/// The test database started by `Infra/scripts/test.sh`, and per-test schemas inside it.
enum TestDatabase {
    static let hint = "run `bash Infra/scripts/test.sh` (it starts PostgreSQL and exports the URLs)"

    static func configuration(admin: Bool = false) throws -> PostgresConfiguration {
        let variable = admin ? "SHIPBOARD_TEST_DATABASE_ADMIN_URL" : "SHIPBOARD_TEST_DATABASE_URL"
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw TestSetupError(description: "\(variable) is not set: \(hint)")
        }
        var configuration = try PostgresConfiguration(url: url)
        configuration.applicationName = "shipboard-postgres-tests"
        return configuration
    }

    /// A fresh schema name, `t_` plus 16 hex digits.
    static func makeSchemaName() -> String {
        "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// Creates a schema of its own for one test, hands `body` a configuration whose
    /// `search_path` is that schema, and drops the schema afterwards (also on failure).
    static func withSchema<Result>(
        _ body: (_ configuration: PostgresConfiguration, _ schema: String) async throws -> Result
    ) async throws -> Result {
        let base = try configuration()
        let schema = makeSchemaName()
        let setup = try await PostgresConnection.connect(configuration: base)
        try await setup.query("CREATE SCHEMA \(identifier: schema)")
        var configuration = base
        configuration.options = "-c search_path=\(schema)"
        do {
            let result = try await body(configuration, schema)
            try await setup.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await setup.close()
            return result
        } catch {
            _ = try? await setup.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await setup.close()
            throw error
        }
    }

    /// Tables in `schema`, sorted.
    static func tables(in schema: String, on connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(schema) ORDER BY 1"
        ).map { try $0.decode(String.self) }
    }
}

/// Waits until `condition` holds, polling every 50 ms, for at most `timeout`.
func eventually(
    timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
