import ServiceKit

/// shipboard-build's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the migrations that must have been applied |
/// | `SHIPBOARD_IMPORT_ROOT` | `.run/import` | the folder image spec files are read from (nothing outside it is ever read) |
/// | `SHIPBOARD_IMAGE_STORE` | `.run/images` | the content-addressed folder built images are written to |
/// | `SHIPBOARD_IMAGE_SIZE_LIMIT_MB` | `2048` | the most an image's files may add up to, in MiB |
struct BuildSettings: Sendable {
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the migrations that must have been applied"),
        .init("SHIPBOARD_IMPORT_ROOT", default: ".run/import", "the folder image spec files are read from"),
        .init("SHIPBOARD_IMAGE_STORE", default: ".run/images", "the content-addressed folder built images are written to"),
        .init("SHIPBOARD_IMAGE_SIZE_LIMIT_MB", default: "2048", "the most an image's files may add up to, in MiB"),
    ]

    let migrationsDirectory: String
    let importRoot: String
    let imageStore: String
    let sizeLimit: Int64

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        importRoot = reader.string("SHIPBOARD_IMPORT_ROOT", default: ".run/import")
        imageStore = reader.string("SHIPBOARD_IMAGE_STORE", default: ".run/images")
        sizeLimit = Int64(reader.int("SHIPBOARD_IMAGE_SIZE_LIMIT_MB", default: 2048, range: 1...1_048_576)) << 20
    }
}
