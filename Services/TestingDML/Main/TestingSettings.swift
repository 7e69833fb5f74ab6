import ServiceKit
import TestingCore

/// shipboard-testing's own settings, besides the shared ``ServiceConfiguration``.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SHIPBOARD_MIGRATIONS_DIR` | `Infra/postgres/migrations` | the migrations that must have been applied |
/// | `SHIPBOARD_IMAGE_STORE` | `.run/images` | shipboard-build's image store, read only |
/// | `SHIPBOARD_DML_STORE` | `.run/dml` | the DML's content-addressed folder |
/// | `SHIPBOARD_SANDBOX_ROOT` | `.run/testing` | where throwaway sandboxes for test runs are made |
/// | `SHIPBOARD_SCRIPT_TIMEOUT_SECONDS` | `300` | the longest any one test process may run |
/// | `SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB` | `64` | the most output kept per test process |
/// | `SHIPBOARD_DML_KEEP_VERSIONS` | `5` | versions of one image name kept available; older unpinned ones are retired |
/// | `SHIPBOARD_DML_HTTP_PORT` | `8093` | the port DML downloads are served on |
/// | `SHIPBOARD_DML_TOKEN` | required | the bearer token downloads must present (secret) |
struct TestingSettings: Sendable {
    static let documentation: [ConfigurationVariable] = [
        .init("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations", "the migrations that must have been applied"),
        .init("SHIPBOARD_IMAGE_STORE", default: ".run/images", "shipboard-build's image store, read only"),
        .init("SHIPBOARD_DML_STORE", default: ".run/dml", "the DML's content-addressed folder"),
        .init("SHIPBOARD_SANDBOX_ROOT", default: ".run/testing", "where throwaway sandboxes for test runs are made"),
        .init("SHIPBOARD_SCRIPT_TIMEOUT_SECONDS", default: "300", "the longest any one test process may run"),
        .init("SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB", default: "64", "the most output kept per test process"),
        .init("SHIPBOARD_DML_KEEP_VERSIONS", default: "5", "versions of one image name kept available"),
        .init("SHIPBOARD_DML_HTTP_PORT", default: "8093", "the port DML downloads are served on"),
        .init("SHIPBOARD_DML_TOKEN", default: nil, "the bearer token DML downloads must present", secret: true),
    ]

    let migrationsDirectory: String
    let folders: TestingFolders
    let limits: TestRunLimits
    let dmlPort: Int
    /// Secret: never logged or put in errors.
    let dmlToken: String

    init(reader: ConfigurationReader) {
        migrationsDirectory = reader.string("SHIPBOARD_MIGRATIONS_DIR", default: "Infra/postgres/migrations")
        folders = TestingFolders(
            imageStore: reader.string("SHIPBOARD_IMAGE_STORE", default: ".run/images"),
            dmlStore: reader.string("SHIPBOARD_DML_STORE", default: ".run/dml"),
            workRoot: reader.string("SHIPBOARD_SANDBOX_ROOT", default: ".run/testing"),
            keepVersions: reader.int("SHIPBOARD_DML_KEEP_VERSIONS", default: 5, range: 1...1000))
        limits = TestRunLimits(
            timeout: .seconds(reader.int("SHIPBOARD_SCRIPT_TIMEOUT_SECONDS", default: 300, range: 1...86_400)),
            outputBytes: reader.int("SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB", default: 64, range: 1...1024) * 1024)
        dmlPort = reader.int("SHIPBOARD_DML_HTTP_PORT", default: 8093, range: 0...65535)
        dmlToken = reader.required("SHIPBOARD_DML_TOKEN", secret: true)
    }
}
