import Foundation
import Logging
import Postgres
import ServiceKit

/// `shipboard-migrate`: applies `Infra/postgres/migrations` to the database, under an
/// advisory lock, and exits. Services run it (or the same migrator) before starting.
///
/// Environment:
/// - `SHIPBOARD_MIGRATION_DATABASE_URL`: `postgres://user:password@host:port/database` of the
///   role that owns the schemas (`shipboard`); migrations create tables and grant privileges.
/// - `SHIPBOARD_DATABASE_URL`: used when `SHIPBOARD_MIGRATION_DATABASE_URL` is unset. In
///   `.run/env` it is the service role (`shipboard_service`), which owns nothing and can only
///   confirm that every migration is already applied.
/// - `SHIPBOARD_MIGRATIONS_DIR` (default `Infra/postgres/migrations`).
///
/// Exit status: 0 when every file is applied (or nothing was pending), 1 on a missing or
/// invalid setting or a failed migration. Messages never contain the password.
@main
struct ShipboardMigrate {
    static func main() async {
        ServiceArguments(
            name: "shipboard-migrate",
            summary: "applies the migrations to the database as the schema owner, under an advisory lock, and exits",
            variables: [
                .init("SHIPBOARD_MIGRATION_DATABASE_URL", default: "SHIPBOARD_DATABASE_URL", "PostgreSQL URL of the schema owner", secret: true),
                .init("SHIPBOARD_DATABASE_URL", default: nil, "used when the one above is unset (as the service role it only checks)", secret: true),
                .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the numbered SQL files to apply"),
            ]
        ).handleOrExit(Array(CommandLine.arguments.dropFirst()))
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let environment = ProcessInfo.processInfo.environment

        let variable = ["SHIPBOARD_MIGRATION_DATABASE_URL", "SHIPBOARD_DATABASE_URL"].first { name in
            environment[name].map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        }
        guard let variable, let url = environment[variable] else {
            fail(
                "neither SHIPBOARD_MIGRATION_DATABASE_URL nor SHIPBOARD_DATABASE_URL is set"
                    + " (expected postgres://user:password@host:port/database of the schema owner)")
        }
        let configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: url.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            fail("\(variable) is invalid: \(error.reason)")
        }
        var runConfiguration = configuration
        runConfiguration.applicationName = configuration.applicationName ?? "shipboard-migrate"

        let directory = environment["SHIPBOARD_MIGRATIONS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "Infra/postgres/migrations"
        let migrator = PostgresMigrator(directory: URL(fileURLWithPath: directory, isDirectory: true))

        print("shipboard-migrate: applying \(directory) to \(runConfiguration) (from \(variable))")
        do {
            let applied = try await migrator.migrate(configuration: runConfiguration)
            if applied.isEmpty {
                print("shipboard-migrate: nothing to apply; the database is up to date")
            } else {
                for migration in applied {
                    print("shipboard-migrate: applied \(migration.fileName)")
                }
                print("shipboard-migrate: applied \(applied.count) migration(s)")
            }
        } catch {
            fail(String(describing: error))
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("shipboard-migrate: error: \(message)\n".utf8))
        exit(1)
    }
}
