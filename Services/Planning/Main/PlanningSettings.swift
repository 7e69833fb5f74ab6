import ServiceKit

/// shipboard-planning's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the numbered SQL files applied at start-up |
/// | `SHIPBOARD_MIGRATION_DATABASE_URL` | `SHIPBOARD_DATABASE_URL` | PostgreSQL URL of the role that owns the schemas (`shipboard`), used only to apply migrations (secret) |
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

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        migrationDatabaseURL = reader.optionalURL("SHIPBOARD_MIGRATION_DATABASE_URL", schemes: ["postgres", "postgresql"])
    }
}
