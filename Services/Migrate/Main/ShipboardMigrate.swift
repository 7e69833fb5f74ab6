import Foundation
import Logging
import Postgres

/// `shipboard-migrate`: applies `Infra/postgres/migrations` to the database, under an
/// advisory lock, and exits. Services run it (or the same migrator) before starting.
///
/// Environment:
/// - `SHIPBOARD_DATABASE_URL` (required): `postgres://user:password@host:port/database`.
/// - `SHIPBOARD_MIGRATIONS_DIR` (default `Infra/postgres/migrations`).
///
/// Exit status: 0 when every file is applied (or nothing was pending), 1 on a missing or
/// invalid setting or a failed migration. Messages never contain the password.
@main
struct ShipboardMigrate {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let environment = ProcessInfo.processInfo.environment

        guard let url = environment["SHIPBOARD_DATABASE_URL"], !url.isEmpty else {
            fail("SHIPBOARD_DATABASE_URL is not set (expected postgres://user:password@host:port/database)")
        }
        let configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: url)
        } catch {
            fail("SHIPBOARD_DATABASE_URL is invalid: \(error.reason)")
        }
        var runConfiguration = configuration
        runConfiguration.applicationName = configuration.applicationName ?? "shipboard-migrate"

        let directory = environment["SHIPBOARD_MIGRATIONS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "Infra/postgres/migrations"
        let migrator = PostgresMigrator(directory: URL(fileURLWithPath: directory, isDirectory: true))

        print("shipboard-migrate: applying \(directory) to \(runConfiguration)")
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
