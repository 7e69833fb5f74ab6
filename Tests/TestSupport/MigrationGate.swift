import Foundation
import Postgres

/// Applies the repository's migrations to the test database once per test process
/// (concurrent test processes are serialized by the migrator's advisory lock).
public actor MigrationGate {
    public static let shared = MigrationGate()
    /// The databases migrated by this process, as `host:port/database`: one flag for all of
    /// them let the test database's migration stand for the fault instance's, which then
    /// lacked the tables whenever a suite on the test database happened to run first.
    private var done: Set<String> = []

    public func ensureMigrated(_ configuration: PostgresConfiguration) async throws {
        let database = "\(configuration.host):\(configuration.port)/\(configuration.database)"
        guard !done.contains(database) else { return }
        let directory = URL(fileURLWithPath: try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR"))
        _ = try await PostgresMigrator(directory: directory).migrate(configuration: configuration)
        done.insert(database)
    }
}
