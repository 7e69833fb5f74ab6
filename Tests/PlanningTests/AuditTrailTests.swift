import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

@Suite("Audit trail: append-only, hash-chained per release")
struct AuditTrailTests {
    /// A schema of its own with the audit table.
    static func makeTrail() async throws -> (AuditTrail, PostgresPool) {
        let (schema, pool) = try await PlanningTestSchema.make("audit")
        return (AuditTrail(schema: schema), pool)
    }

    static func record(_ trail: AuditTrail, _ pool: PostgresPool, release: String, count: Int) async throws {
        for index in 1...count {
            _ = try await pool.withTransaction { transaction in
                try await trail.append(
                    releaseKey: release, actor: "alice", action: "release.step_\(index)",
                    details: ["note": "step \(index) 'quoted' \\ ✓"], in: transaction)
            }
        }
    }

    @Test("entries chain: each holds its predecessor's hash, and verify finds the chain intact")
    func chainIsIntact() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, release: "REL-000001", count: 5)
        try await Self.record(trail, pool, release: "REL-000002", count: 2)
        let entries = try await trail.entries(releaseKey: "REL-000001", pool: pool)
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(entries.first?.previousHash == AuditTrail.genesisHash)
        for (earlier, later) in zip(entries, entries.dropFirst()) { #expect(later.previousHash == earlier.hash) }
        #expect(entries[2].details["note"] == "step 3 'quoted' \\ ✓")
        #expect(try await trail.verify(releaseKey: "REL-000001", pool: pool) == .intact(entries: 5))
        #expect(try await trail.verify(releaseKey: "REL-000002", pool: pool) == .intact(entries: 2))
        await pool.close()
    }

    @Test("an entry exists only if its transaction committed")
    func writtenWithTheChange() async throws {
        let (trail, pool) = try await Self.makeTrail()
        await #expect(throws: (any Error).self) {
            try await pool.withTransaction { transaction in
                try await trail.append(releaseKey: "REL-000003", actor: "bob", action: "release.created", in: transaction)
                throw CancellationError()
            }
        }
        #expect(try await trail.entries(releaseKey: "REL-000003", pool: pool).isEmpty)
        await pool.close()
    }

    @Test("the service role cannot update, delete or truncate audit rows")
    func appendOnly() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, release: "REL-000004", count: 2)
        for statement in [
            PostgresQuery(unsafeSQL: "UPDATE \(trail.schema).audit_log SET actor = 'mallory'"),
            PostgresQuery(unsafeSQL: "DELETE FROM \(trail.schema).audit_log"),
            PostgresQuery(unsafeSQL: "TRUNCATE \(trail.schema).audit_log"),
        ] {
            do {
                try await pool.query(statement)
                Issue.record("a change to audit rows was allowed")
            } catch {
                #expect(error.postgresError?.message.contains("append-only") == true)
            }
        }
        #expect(try await trail.verify(releaseKey: "REL-000004", pool: pool) == .intact(entries: 2))
        await pool.close()
    }

    @Test("tampering with a row as the database owner makes verify fail at that row")
    func tamperingIsFound() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, release: "REL-000005", count: 5)
        let admin = PostgresPool(configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_ADMIN_URL")), maxConnections: 1)
        // The owner (here the superuser) can switch triggers off; the hash chain still tells.
        try await admin.withTransaction { transaction in
            try await transaction.query("SET LOCAL session_replication_role = replica")
            try await transaction.query(
                "UPDATE \(identifier: trail.schema).audit_log SET details = '{\"note\":\"forged\"}' WHERE release_key = 'REL-000005' AND seq = 3")
        }
        guard case .broken(let seq, let reason) = try await trail.verify(releaseKey: "REL-000005", pool: pool) else {
            Issue.record("verify missed an edited row")
            return
        }
        #expect(seq == 3)
        #expect(reason.contains("changed"))

        try await admin.withTransaction { transaction in
            try await transaction.query("SET LOCAL session_replication_role = replica")
            try await transaction.query("DELETE FROM \(identifier: trail.schema).audit_log WHERE release_key = 'REL-000005' AND seq <= 3")
        }
        #expect(try await trail.verify(releaseKey: "REL-000005", pool: pool) == .broken(seq: 1, reason: "entry 1 is missing"))
        await admin.close()
        await pool.close()
    }

    @Test("concurrent appends to one release get consecutive numbers and one unbroken chain")
    func concurrentAppends() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask {
                    _ = try await pool.withTransaction { transaction in
                        try await trail.append(releaseKey: "REL-000006", actor: "user\(index)", action: "release.updated", in: transaction)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await trail.entries(releaseKey: "REL-000006", pool: pool).map(\.seq) == Array(1...12))
        #expect(try await trail.verify(releaseKey: "REL-000006", pool: pool) == .intact(entries: 12))
        await pool.close()
    }
}
