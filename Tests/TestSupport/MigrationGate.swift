import Foundation
import Postgres

/// Applies the repository's migrations to the test database once per test process
/// (concurrent test processes are serialized by the migrator's advisory lock).
public actor MigrationGate {
    public static let shared = MigrationGate()
    private var done = false

    public func ensureMigrated(_ configuration: PostgresConfiguration) async throws {
        guard !done else { return }
        let directory = URL(fileURLWithPath: try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR"))
        _ = try await PostgresMigrator(directory: directory).migrate(configuration: configuration)
        done = true
    }
}
