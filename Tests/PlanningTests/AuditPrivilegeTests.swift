import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// The services' login role (`shipboard_service`, migration 0006) against the real `planning`
/// schema of the test database: it may append audit rows but holds no privilege to change or
/// remove them, so append-only does not rest on a trigger that an owner could disable.
@Suite("Audit trail: the service role lacks UPDATE, DELETE and TRUNCATE")
struct AuditPrivilegeTests {
    /// A pool connected as the service role, after the owner applied every migration.
    static func servicePool() async throws -> PostgresPool {
        let owner = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
        try await MigrationGate.shared.ensureMigrated(owner)
        let service = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL"))
        return PostgresPool(configuration: service, maxConnections: 2)
    }

    /// A release of its own (fresh key from the sequence) with one audit entry, written as
    /// the planning service writes them: in one transaction, the head moved on the release row.
    static func createRelease(_ pool: PostgresPool, title: String) async throws -> String {
        let key = try await pool.withTransaction { transaction in
            try await ReleaseRepository().create(
                ReleaseRecord(
                    key: "", title: title, type: "minor", impact: "low", urgency: "low", priority: "low",
                    requester: "alice", coordinator: "carol"),
                in: transaction
            ).key
        }
        try await append(pool, key, actor: "alice", action: "release.created")
        return key
    }

    /// Appends an entry to a release's chain after the head on its row, and saves the new head.
    static func append(_ pool: PostgresPool, _ key: String, actor: String, action: String) async throws {
        try await pool.withTransaction { transaction in
            var record = try await ReleaseRepository().lock(key, in: transaction)
            let entry = try await AuditTrail(schema: "planning", keyring: TestAuditKeys.keyring).append(
                after: record.auditHead, actor: actor, action: action, details: ["phase": record.phase, "status": record.status],
                in: transaction)
            record.auditHead = entry.head
            try await ReleaseRepository().save(record, in: transaction)
        }
    }

    /// Expects `statement` to fail on a missing privilege (SQLSTATE 42501, "permission denied"
    /// or "must be owner") rather than on the append-only trigger, which raises the same
    /// SQLSTATE with its own message.
    static func expectRefusedByPrivilege(
        _ pool: PostgresPool, _ statement: PostgresQuery, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            try await pool.query(statement)
            Issue.record("the service role was allowed to run it", sourceLocation: sourceLocation)
        } catch {
            let failure = error.postgresError
            #expect(failure?.sqlState == "42501", sourceLocation: sourceLocation)
            let message = failure?.message ?? ""
            #expect(message.contains("permission denied") || message.contains("must be owner"), sourceLocation: sourceLocation)
            #expect(!message.contains("append-only"), sourceLocation: sourceLocation)
        }
    }

    @Test("the service role appends audit entries; UPDATE, DELETE and TRUNCATE are denied by privilege, not by the trigger")
    func appendOnlyByPrivilege() async throws {
        let pool = try await Self.servicePool()
        let key = try await Self.createRelease(pool, title: "Audit privilege release")
        let trail = AuditTrail(schema: "planning", keyring: TestAuditKeys.keyring)
        try await Self.append(pool, key, actor: "carol", action: "release.submitted")
        #expect(try await trail.reader.entries(chain: key, pool: pool).map(\.seq) == [1, 2])

        await Self.expectRefusedByPrivilege(pool, "UPDATE planning.audit_log SET actor = 'mallory' WHERE release_key = \(key)")
        await Self.expectRefusedByPrivilege(pool, "DELETE FROM planning.audit_log WHERE release_key = \(key)")
        await Self.expectRefusedByPrivilege(pool, "TRUNCATE planning.audit_log")
        // Nor can it switch the trigger off: only the owner may alter the table.
        await Self.expectRefusedByPrivilege(pool, "ALTER TABLE planning.audit_log DISABLE TRIGGER audit_log_append_only")

        #expect(try await trail.verify(chain: key, pool: pool) == .intact(entries: 2))
        await pool.close()
    }

    @Test("as the service role, a forged release.approved appended after the head, with the release row moved to match, does not verify")
    func forgedAppendByTheServiceRole() async throws {
        let pool = try await Self.servicePool()
        let key = try await Self.createRelease(pool, title: "Forged by the service role")
        // Everything the service role can do: insert a well-formed row chained to the real head
        // (with a MAC under a key of its own, same key id), move the head and the state.
        var record = try await pool.withTransaction { try await ReleaseRepository().lock(key, in: $0) }
        let forger = AuditTrail(schema: "planning", keyring: AuditKeyring.random(id: TestAuditKeys.keyring.currentID))
        try await pool.withTransaction { transaction in
            record.auditHead = try await forger.append(
                after: record.auditHead, actor: "mallory", action: "release.approved",
                details: ["phase": "deploy", "status": "in_progress"], in: transaction
            ).head
        }
        try await pool.query(
            """
            UPDATE planning.releases SET audit_seq = \(record.auditSeq), audit_mac = \(record.auditMAC),
                   phase = 'deploy', status = 'in_progress' WHERE key = \(key)
            """)
        let trail = AuditTrail(schema: "planning", keyring: TestAuditKeys.keyring)
        #expect(try await trail.verify(chain: key, pool: pool)
            == .broken(seq: 2, reason: "entry 2 was changed after it was written, or not written by the service"))
        await pool.close()
    }

    @Test("the service role reads and writes planning.releases")
    func releasesReadWrite() async throws {
        let pool = try await Self.servicePool()
        let key = try await Self.createRelease(pool, title: "Service role release")
        try await pool.withTransaction { transaction in
            var release = try await ReleaseRepository().lock(key, in: transaction)
            release.title = "Service role release, renamed"
            try await ReleaseRepository().save(release, in: transaction)
        }
        let rows = try await pool.query("SELECT title, version FROM planning.releases WHERE key = \(key)")
        let (title, version) = try rows.single().decode((String, Int).self)
        #expect(title == "Service role release, renamed")
        #expect(version == 3, "created, audited (head saved), renamed")
        await pool.close()
    }

    @Test("the service role can run the migrator once everything is applied (it only reads), but cannot create tables")
    func migratorReadsOnly() async throws {
        let pool = try await Self.servicePool()
        let service = try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL"))
        let directory = URL(fileURLWithPath: try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR"))
        #expect(try await PostgresMigrator(directory: directory).migrate(configuration: service).isEmpty)
        await Self.expectRefusedByPrivilege(pool, "CREATE TABLE planning.service_role_probe (id integer)")
        await pool.close()
    }
}
