import Foundation
import Postgres
import ShipboardTestSupport

/// A schema of its own on the test database with every planning table (what the service's
/// migrations create in `planning`), so tests run in parallel without seeing each other.
enum PlanningTestSchema {
    /// Creates `<prefix>_<8 random hex digits>` and a pool on the test database (as the owner).
    static func make(_ prefix: String, maxConnections: Int = 4) async throws -> (schema: String, pool: PostgresPool) {
        let configuration = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(configuration)
        let schema = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: maxConnections)
        try await pool.query("SELECT public.shipboard_create_planning_schema(\(schema))")
        return (schema, pool)
    }
}
