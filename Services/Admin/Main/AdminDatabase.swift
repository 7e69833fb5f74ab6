import Foundation
import Messaging
import Postgres

/// The database connection of one admin command, from `SHIPBOARD_DATABASE_URL`.
enum AdminDatabase {
    /// Runs `body` with the outbox administration of `schema`, then closes the connection.
    /// A missing or invalid URL exits with status 2, naming the variable but never its value.
    static func run<Result: Sendable>(
        schema: String, _ body: (OutboxAdministration) async throws -> Result
    ) async throws -> Result {
        let variable = "SHIPBOARD_DATABASE_URL"
        guard let url = ProcessInfo.processInfo.environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines),
              !url.isEmpty
        else {
            throw AdminFailure("\(variable) is not set (expected postgres://user:password@host:port/database)", status: 2)
        }
        var configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: url)
        } catch {
            throw AdminFailure("\(variable) is invalid: \(error.reason)", status: 2)
        }
        configuration.applicationName = configuration.applicationName ?? "shipboard-admin"
        let pool = PostgresPool(configuration: configuration, maxConnections: 1)
        do {
            let result = try await body(OutboxAdministration(outbox: Outbox(schema: schema), pool: pool))
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }
}
