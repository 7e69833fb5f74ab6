import Foundation
import PlanningCore
import ServiceKit

/// shipboard-planning's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the numbered SQL files applied at start-up |
/// | `SHIPBOARD_MIGRATION_DATABASE_URL` | `SHIPBOARD_DATABASE_URL` | PostgreSQL URL of the role that owns the schemas (`shipboard`), used only to apply migrations (secret) |
/// | `SHIPBOARD_PRIORITY_MATRIX` | the ITIL matrix (`PriorityMatrix.standard`) | impact × urgency → priority as JSON, every cell given, e.g. `{"high":{"high":"critical","medium":"high","low":"medium"},…}` |
///
/// The service itself connects with `SHIPBOARD_DATABASE_URL`, normally as `shipboard_service`,
/// a role that owns nothing and cannot create tables. Without
/// `SHIPBOARD_MIGRATION_DATABASE_URL` the migrator uses that URL too, which works only when
/// every migration is already applied (the migrator then only reads its history table).
struct PlanningSettings {
    /// `SHIPBOARD_MIGRATIONS_DIR`.
    let migrationsDirectory: String
    /// `SHIPBOARD_MIGRATION_DATABASE_URL`, nil when unset; secret: never logged or put in errors.
    let migrationDatabaseURL: String?
    /// `SHIPBOARD_PRIORITY_MATRIX`, or the standard matrix.
    let priorityMatrix: PriorityMatrix

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        migrationDatabaseURL = reader.optionalURL("SHIPBOARD_MIGRATION_DATABASE_URL", schemes: ["postgres", "postgresql"])
        priorityMatrix = Self.matrix(reader)
    }

    /// The configured matrix; a malformed or incomplete one is a configuration problem that
    /// names every bad cell (the service then refuses to start).
    private static func matrix(_ reader: ConfigurationReader) -> PriorityMatrix {
        let name = "SHIPBOARD_PRIORITY_MATRIX"
        guard let text = reader.optional(name) else { return .standard }
        guard let table = try? JSONDecoder().decode([String: [String: String]].self, from: Data(text.utf8)) else {
            reader.recordProblem(name, "is not a JSON object of impact → {urgency → priority}")
            return .standard
        }
        do {
            return try PriorityMatrix(configuration: table)
        } catch {
            reader.recordProblem(name, error.message)
            return .standard
        }
    }
}
