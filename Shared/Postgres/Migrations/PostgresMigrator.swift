import Foundation
import Logging

/// Applies the numbered SQL files of a directory, each exactly once.
///
/// A run holds a session advisory lock (key derived from schema and history table) on one
/// connection from start to end, so concurrent migrators (several replicas starting at
/// once) serialize and each file is applied once. Each pending file runs in its own
/// transaction together with its history row, so a failing file leaves nothing behind.
/// Files must not contain transaction control (`BEGIN`/`COMMIT`) or statements that
/// cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
public struct PostgresMigrator: Sendable {
    /// The directory holding `NNNN_description.sql` files.
    public let directory: URL
    /// Schema of the history table.
    public let schema: String
    /// Name of the history table.
    public let historyTable: String
    let logger: Logger

    public init(
        directory: URL,
        schema: String = "public",
        historyTable: String = "schema_migrations",
        logger: Logger = Logger(label: "shipboard.postgres.migrations")
    ) {
        self.directory = directory
        self.schema = schema
        self.historyTable = historyTable
        self.logger = logger
    }

    /// The directory's migrations in version order. Non-`.sql` files are ignored;
    /// malformed names and duplicate versions are errors.
    public func loadMigrations() throws(MigrationError) -> [PostgresMigration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            // Foundation's error text is long and adds nothing to "missing or unreadable".
            throw MigrationError(.unreadableDirectory, fileName: directory.path)
        }
        var migrations: [PostgresMigration] = []
        for name in names.sorted() {
            let contents: Data
            do {
                contents = try Data(contentsOf: directory.appendingPathComponent(name))
            } catch {
                if name.hasSuffix(".sql") { throw MigrationError(.unreadableFile, fileName: name, underlying: error) }
                continue  // e.g. a subdirectory
            }
            if let migration = try PostgresMigration.load(fileName: name, contents: contents) {
                migrations.append(migration)
            }
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError(.duplicateVersion(next.version), fileName: "\(previous.fileName), \(next.fileName)")
        }
        return migrations
    }

    /// Connects, applies pending migrations, disconnects. Returns the files applied.
    ///
    /// The connection runs without statement, lock and client-side timeouts, whatever
    /// `configuration` says: a migration may rightly take long, and a replica starting
    /// meanwhile waits on the advisory lock until it is done.
    public func migrate(configuration: PostgresConfiguration) async throws(MigrationError) -> [PostgresMigration] {
        var configuration = configuration
        configuration.statementTimeout = .zero
        configuration.lockTimeout = .zero
        configuration.queryTimeout = nil
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
        } catch {
            throw MigrationError(.connectionFailed, underlying: error)
        }
        do {
            let applied = try await migrate(on: connection)
            await connection.close()
            return applied
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Applies pending migrations on `connection` (which must not be in a transaction).
    /// Returns the files applied, in order; empty when everything was already applied.
    public func migrate(on connection: PostgresConnection) async throws(MigrationError) -> [PostgresMigration] {
        guard PostgresIdentifier.isValid(schema), PostgresIdentifier.isValid(historyTable) else {
            throw MigrationError(.invalidHistoryTable)
        }
        let migrations = try loadMigrations()
        do {
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))")
        } catch {
            throw MigrationError(.setupFailed, underlying: error)
        }
        do {
            let applied = try await applyPending(migrations, on: connection)
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))")
            return applied
        } catch {
            // The lock also ends with the session, should the connection be gone.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))")
            throw error
        }
    }

    private func applyPending(_ migrations: [PostgresMigration], on connection: PostgresConnection) async throws(MigrationError) -> [PostgresMigration] {
        let history: [Int: String]
        do {
            history = try await prepareHistory(on: connection)
        } catch {
            throw MigrationError(.setupFailed, underlying: error)
        }
        for migration in migrations {
            if let checksum = history[migration.version], checksum != migration.checksum {
                throw MigrationError(
                    .checksumMismatch(applied: checksum, current: migration.checksum), fileName: migration.fileName)
            }
        }
        let known = Set(migrations.map(\.version))
        for version in history.keys.sorted() where !known.contains(version) {
            logger.warning(
                "database has a migration this build does not know",
                metadata: ["postgres.migration_version": "\(version)"])
        }

        var applied: [PostgresMigration] = []
        for migration in migrations where history[migration.version] == nil {
            do {
                try await connection.withTransaction { tx in
                    try await tx.executeUnsafeScript(migration.sql, label: migration.fileName)
                    try await tx.query(
                        """
                        INSERT INTO \(identifier: schema).\(identifier: historyTable) (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """,
                        label: "record \(migration.fileName)")
                }
            } catch {
                throw MigrationError(.migrationFailed, fileName: migration.fileName, underlying: error.underlying)
            }
            logger.info("applied migration", metadata: ["postgres.migration": "\(migration.fileName)"])
            applied.append(migration)
        }
        return applied
    }

    /// Creates the schema and history table if needed; returns version → checksum.
    ///
    /// Nothing is created when the table exists: `CREATE TABLE IF NOT EXISTS` still needs the
    /// CREATE privilege on the schema, which a role that owns nothing (`shipboard_service`)
    /// lacks, and such a role may run the migrator when every file is applied (it then only
    /// reads the history). The advisory lock held by the caller makes check-then-create safe.
    private func prepareHistory(on connection: PostgresConnection) async throws -> [Int: String] {
        let exists = try await connection.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)")
        if exists.isEmpty {
            try await connection.query("CREATE SCHEMA \(identifier: schema)")
        }
        let tableExists = try await connection.query(
            """
            SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relname = \(historyTable)
            """)
        if tableExists.isEmpty {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(identifier: schema).\(identifier: historyTable) (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        var history: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM \(identifier: schema).\(identifier: historyTable)") {
            let (version, checksum) = try row.decode((Int, String).self)
            history[version] = checksum
        }
        return history
    }

    /// The advisory lock key: FNV-1a (64-bit) of `shipboard.migrations:<schema>.<table>`, so
    /// migrators of the same history table exclude each other and no others.
    var lockKey: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "shipboard.migrations:\(schema).\(historyTable)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
