import Foundation
import Postgres
import Testing

@Suite("Migrations", .timeLimit(.minutes(1)))
struct MigratorTests {
    /// A temporary directory with the given files, removed afterwards.
    @discardableResult
    static func withDirectory<Result>(
        _ files: [String: String], _ body: (URL) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("shipboard-migrations-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, contents) in files {
            try Data(contents.utf8).write(to: directory.appendingPathComponent(name))
        }
        return try await body(directory)
    }

    static let files = [
        "0001_create_releases.sql": "CREATE TABLE releases (id int PRIMARY KEY, name text NOT NULL);",
        "0002_create_tasks.sql": """
            -- several statements in one file
            CREATE TABLE tasks (id int PRIMARY KEY, release_id int REFERENCES releases (id));
            CREATE INDEX tasks_release_idx ON tasks (release_id);
            INSERT INTO releases VALUES (1, 'it''s seeded');
            """,
        "10_add_column.sql": "SELECT pg_sleep(0.2); ALTER TABLE releases ADD COLUMN status text;",
        "README.md": "not a migration",
    ]

    @Test func appliesInNumericOrderOnceAndRecordsHistory() async throws {
        try await TestDatabase.withSchema { configuration, schema in
            try await Self.withDirectory(Self.files) { directory in
                let migrator = PostgresMigrator(directory: directory, schema: schema)
                let applied = try await migrator.migrate(configuration: configuration)
                #expect(applied.map(\.fileName) == ["0001_create_releases.sql", "0002_create_tasks.sql", "10_add_column.sql"])
                #expect(applied.map(\.version) == [1, 2, 10])
                #expect(try await migrator.migrate(configuration: configuration).isEmpty)

                let connection = try await PostgresConnection.connect(configuration: configuration)
                #expect(try await TestDatabase.tables(in: schema, on: connection) == ["releases", "schema_migrations", "tasks"])
                let history = try await connection.query(
                    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
                #expect(history.count == 3)
                let (version, name, checksum, _) = try history[0].decode((Int, String, String, Date).self)
                #expect(version == 1)
                #expect(name == "create_releases")
                #expect(checksum == applied[0].checksum)
                #expect(checksum.count == 64)
                let status: String? = try await connection.query("SELECT status FROM releases").single().decode(at: 0)
                #expect(status == nil)
                await connection.close()
            }
        }
    }

    @Test func aFailingFileRollsBackAndNamesTheFile() async throws {
        try await TestDatabase.withSchema { configuration, schema in
            var files = Self.files
            files["0011_broken.sql"] = "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;"
            files["0012_never.sql"] = "CREATE TABLE never (id int);"
            try await Self.withDirectory(files) { directory in
                let migrator = PostgresMigrator(directory: directory, schema: schema)
                do {
                    _ = try await migrator.migrate(configuration: configuration)
                    Issue.record("0011_broken.sql must fail")
                } catch let error as MigrationError {
                    #expect(error.reason == .migrationFailed)
                    #expect(error.fileName == "0011_broken.sql")
                    #expect(error.description.contains("0011_broken.sql"))
                    #expect(error.description.contains("no_such_table"))
                    #expect(error.postgresError?.code == .undefinedTable)
                }
                let connection = try await PostgresConnection.connect(configuration: configuration)
                let tables = try await TestDatabase.tables(in: schema, on: connection)
                #expect(!tables.contains("half_done"))
                #expect(!tables.contains("never"))
                #expect(try await connection.query("SELECT count(*) FROM schema_migrations").single().decode(Int.self) == 3)
                await connection.close()
            }
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        try await TestDatabase.withSchema { configuration, schema in
            try await Self.withDirectory(Self.files) { directory in
                let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await PostgresMigrator(directory: directory, schema: schema)
                                .migrate(configuration: configuration).count
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(counts.reduce(0, +) == 3)
                #expect(counts.sorted() == [0, 0, 0, 3])
                let connection = try await PostgresConnection.connect(configuration: configuration)
                #expect(try await connection.query("SELECT count(*) FROM schema_migrations").single().decode(Int.self) == 3)
                #expect(try await connection.query("SELECT count(*) FROM releases").single().decode(Int.self) == 1)
                await connection.close()
            }
        }
    }

    @Test func aChangedFileIsDetected() async throws {
        try await TestDatabase.withSchema { configuration, schema in
            try await Self.withDirectory(Self.files) { directory in
                let migrator = PostgresMigrator(directory: directory, schema: schema)
                _ = try await migrator.migrate(configuration: configuration)
                try Data("CREATE TABLE releases (id bigint PRIMARY KEY);".utf8)
                    .write(to: directory.appendingPathComponent("0001_create_releases.sql"))
                do {
                    _ = try await migrator.migrate(configuration: configuration)
                    Issue.record("an edited migration must be refused")
                } catch let error as MigrationError {
                    guard case .checksumMismatch = error.reason else {
                        Issue.record("unexpected \(error)")
                        return
                    }
                    #expect(error.fileName == "0001_create_releases.sql")
                    #expect(error.description.contains("changed after it was applied"))
                }
            }
        }
    }

    @Test func malformedNamesAndDuplicateVersionsAreRejected() async throws {
        try await Self.withDirectory(["create_things.sql": "SELECT 1;"]) { directory in
            #expect(throws: MigrationError.self) { try PostgresMigrator(directory: directory).loadMigrations() }
        }
        try await Self.withDirectory(["0001_a.sql": "SELECT 1;", "1_b.sql": "SELECT 2;"]) { directory in
            do {
                _ = try PostgresMigrator(directory: directory).loadMigrations()
                Issue.record("two files with version 1")
            } catch let error as MigrationError {
                #expect(error.reason == .duplicateVersion(1))
            }
        }
        try await Self.withDirectory(["0001_bad name.sql": "SELECT 1;"]) { directory in
            do {
                _ = try PostgresMigrator(directory: directory).loadMigrations()
                Issue.record("spaces are not allowed")
            } catch let error as MigrationError {
                #expect(error.reason == .invalidFileName)
                #expect(error.fileName == "0001_bad name.sql")
            }
        }
    }

    @Test func theRepositorysMigrationsAreWellFormed() throws {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let migrations = try PostgresMigrator(
            directory: repository.appendingPathComponent("Infra/postgres/migrations")
        ).loadMigrations()
        #expect(migrations.first?.fileName == "0001_service_schemas.sql")
    }
}
