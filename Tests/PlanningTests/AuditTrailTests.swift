import Contracts
import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// The trail's mechanism on shared chains (no release row): MACs, links, heads, the
/// append-only trigger, and what verify finds when the owner edits rows behind its back.
@Suite("Audit trail: append-only, MAC-chained, with a head kept apart")
struct AuditTrailTests {
    /// A schema of its own with the audit tables.
    static func makeTrail(keyring: AuditKeyring = TestAuditKeys.keyring) async throws -> (AuditTrail, PostgresPool) {
        let (schema, pool) = try await PlanningTestSchema.make("audit")
        return (AuditTrail(schema: schema, keyring: keyring), pool)
    }

    static func record(_ trail: AuditTrail, _ pool: PostgresPool, chain: String, count: Int) async throws {
        for index in 1...count {
            _ = try await pool.withTransaction { transaction in
                try await trail.appendToSharedChain(
                    chain, actor: "alice", action: "test.step_\(index)",
                    details: ["note": "step \(index) 'quoted' | \\ ✓"], in: transaction)
            }
        }
    }

    static func owner(_ body: (PostgresTransaction) async throws -> Void) async throws {
        let admin = PostgresPool(
            configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_ADMIN_URL")), maxConnections: 1)
        // The owner (here the superuser) can switch the append-only triggers off.
        try await admin.withTransaction { transaction in
            try await transaction.query("SET LOCAL session_replication_role = replica")
            try await body(transaction)
        }
        await admin.close()
    }

    @Test("entries chain by MAC under the signing key; the head follows the last entry; verify finds it intact")
    func chainIsIntact() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, chain: "TEST-A", count: 5)
        try await Self.record(trail, pool, chain: "TEST-B", count: 2)
        let entries = try await trail.reader.entries(chain: "TEST-A", pool: pool)
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(entries.first?.previousMAC == AuditTrail.genesisMAC)
        #expect(entries.allSatisfy { $0.keyID == trail.keyring.currentID })
        for (earlier, later) in zip(entries, entries.dropFirst()) { #expect(later.previousMAC == earlier.mac) }
        #expect(entries[2].details["note"] == "step 3 'quoted' | \\ ✓")
        let head = try await pool.query("SELECT seq, mac FROM \(identifier: trail.schema).audit_chain_heads WHERE chain_key = 'TEST-A'")
            .single().decode((Int, String).self)
        #expect(head.0 == 5 && head.1 == entries.last?.mac)
        #expect(try await trail.verify(chain: "TEST-A", pool: pool) == .intact(entries: 5))
        #expect(try await trail.verify(chain: "TEST-B", pool: pool) == .intact(entries: 2))
        await pool.close()
    }

    @Test("an entry (and its head) exists only if its transaction committed")
    func writtenWithTheChange() async throws {
        let (trail, pool) = try await Self.makeTrail()
        await #expect(throws: (any Error).self) {
            try await pool.withTransaction { transaction in
                try await trail.appendToSharedChain("TEST-C", actor: "bob", action: "test.created", in: transaction)
                throw CancellationError()
            }
        }
        #expect(try await trail.reader.entries(chain: "TEST-C", pool: pool).isEmpty)
        #expect(try await trail.verify(chain: "TEST-C", pool: pool) == .intact(entries: 0))
        await pool.close()
    }

    @Test("the append-only trigger refuses UPDATE, DELETE and TRUNCATE even to the owner (the service role is refused by privilege: AuditPrivilegeTests)")
    func appendOnlyTrigger() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, chain: "TEST-D", count: 2)
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
        #expect(try await trail.verify(chain: "TEST-D", pool: pool) == .intact(entries: 2))
        await pool.close()
    }

    @Test("the owner editing a row, cutting the tail, or deleting the chain is found; so is a deleted head")
    func ownerTamperingIsFound() async throws {
        let (trail, pool) = try await Self.makeTrail()
        let log = "\(trail.schema).audit_log"
        try await Self.record(trail, pool, chain: "TEST-E", count: 5)
        try await Self.owner { try await $0.query(PostgresQuery(unsafeSQL: "UPDATE \(log) SET details = '{\"note\":\"forged\"}' WHERE release_key = 'TEST-E' AND seq = 3")) }
        #expect(try await trail.verify(chain: "TEST-E", pool: pool) == .broken(seq: 3, reason: "entry 3 was changed after it was written, or not written by the service"))

        try await Self.record(trail, pool, chain: "TEST-F", count: 5)
        try await Self.owner { try await $0.query(PostgresQuery(unsafeSQL: "DELETE FROM \(log) WHERE release_key = 'TEST-F' AND seq >= 4")) }
        #expect(try await trail.verify(chain: "TEST-F", pool: pool) == .broken(seq: 4, reason: "entries 4–5 are missing: the chain was cut back"))

        try await Self.record(trail, pool, chain: "TEST-G", count: 3)
        try await Self.owner { try await $0.query(PostgresQuery(unsafeSQL: "DELETE FROM \(log) WHERE release_key = 'TEST-G'")) }
        #expect(try await trail.verify(chain: "TEST-G", pool: pool) == .broken(seq: 1, reason: "entries 1–3 are missing: the chain was cut back"))

        try await Self.record(trail, pool, chain: "TEST-H", count: 2)
        try await pool.query("DELETE FROM \(identifier: trail.schema).audit_chain_heads WHERE chain_key = 'TEST-H'")
        #expect(try await trail.verify(chain: "TEST-H", pool: pool)
            == .broken(seq: 2, reason: "the chain's head is missing (its release row or head row was deleted)"))

        try await Self.record(trail, pool, chain: "TEST-I", count: 5)
        try await Self.owner { try await $0.query(PostgresQuery(unsafeSQL: "DELETE FROM \(log) WHERE release_key = 'TEST-I' AND seq = 2")) }
        #expect(try await trail.verify(chain: "TEST-I", pool: pool) == .broken(seq: 2, reason: "entry 2 is missing"))
        await pool.close()
    }

    @Test("concurrent appends to one shared chain get consecutive numbers and one unbroken chain")
    func concurrentAppends() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask {
                    _ = try await pool.withTransaction { transaction in
                        try await trail.appendToSharedChain("TEST-J", actor: "user\(index)", action: "test.updated", in: transaction)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await trail.reader.entries(chain: "TEST-J", pool: pool).map(\.seq) == Array(1...12))
        #expect(try await trail.verify(chain: "TEST-J", pool: pool) == .intact(entries: 12))
        await pool.close()
    }

    @Test("verifying while entries are appended never reports a chain cut back: entries and head are read in one snapshot")
    func verifyDuringAppends() async throws {
        let (trail, pool) = try await Self.makeTrail()
        try await Self.record(trail, pool, chain: "TEST-L", count: 1)
        let writer = Task {
            for index in 0..<60 {
                _ = try await pool.withTransaction { transaction in
                    try await trail.appendToSharedChain("TEST-L", actor: "alice", action: "test.step_\(index)", in: transaction)
                }
            }
        }
        var outcomes: [AuditVerification] = []
        while !writer.isCancelled, outcomes.count < 200 {
            outcomes.append(try await trail.verify(chain: "TEST-L", pool: pool))
            if case .intact(let count) = outcomes.last, count == 61 { break }
        }
        try await writer.value
        let broken = outcomes.filter { if case .broken = $0 { true } else { false } }
        #expect(broken.isEmpty, "\(broken)")
        #expect(try await trail.verify(chain: "TEST-L", pool: pool) == .intact(entries: 61))
        await pool.close()
    }

    @Test("key rotation: entries verify under the key id they name; without that key they are reported, not guessed")
    func keyRotation() async throws {
        let oldHex = AuditKeyring.randomHex()
        let (oldTrail, pool) = try await Self.makeTrail(keyring: try AuditKeyring(parsing: "k1:\(oldHex)"))
        try await Self.record(oldTrail, pool, chain: "TEST-K", count: 2)
        // The operator puts a new key first and keeps the old one for verifying.
        let newHex = AuditKeyring.randomHex()
        let rotated = try AuditKeyring(parsing: "k2:\(newHex),k1:\(oldHex)")
        let newTrail = AuditTrail(schema: oldTrail.schema, keyring: rotated)
        try await Self.record(newTrail, pool, chain: "TEST-K", count: 1)
        let entries = try await newTrail.reader.entries(chain: "TEST-K", pool: pool)
        #expect(entries.map(\.keyID) == ["k1", "k1", "k2"])
        #expect(try await newTrail.verify(chain: "TEST-K", pool: pool) == .intact(entries: 3))
        let withoutOld = AuditTrail(schema: oldTrail.schema, keyring: try AuditKeyring(parsing: "k2:\(newHex)"))
        #expect(try await withoutOld.verify(chain: "TEST-K", pool: pool)
            == .broken(seq: 1, reason: "entry 1 is signed with key k1, which this service does not hold"))
        await pool.close()
    }
}
