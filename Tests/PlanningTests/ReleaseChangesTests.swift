import Contracts
import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

@Suite("Changes added to releases")
struct ReleaseChangesTests {
    static func makeSchema() async throws -> (String, PostgresPool) {
        try await PlanningTestSchema.make("rel", maxConnections: 2)
    }

    static func createRelease(_ schema: String, _ pool: PostgresPool) async throws -> String {
        try await pool.withTransaction { transaction in
            let key = try await ReleaseKeys.next(schema: schema, in: transaction)
            try await transaction.query(
                """
                INSERT INTO \(identifier: schema).releases (key, title, type, impact, urgency, priority, requester, coordinator)
                VALUES (\(key), 'Quarterly patch', 'minor', 'medium', 'high', 'high', 'alice', 'carol')
                """)
            return key
        }
    }

    static let approved = ChangeRequest(
        externalID: "CHG0001", title: "Patch 'web' tier \\ ✓", status: .approved, risk: .medium,
        affectedCIs: ["CI-APP-0001", "CI-DB-0001"])

    @Test("release keys come from a sequence as REL-000001, REL-000002, ...")
    func keys() async throws {
        let (schema, pool) = try await Self.makeSchema()
        let first = try await Self.createRelease(schema, pool)
        let second = try await Self.createRelease(schema, pool)
        #expect(first == "REL-000001")
        #expect(second == "REL-000002")
        #expect(ReleaseKeys.isValid(first) && !ReleaseKeys.isValid("REL-12") && !ReleaseKeys.isValid("REL-00000x"))
        // The one place a key is written: six digits at least, more when the count needs them.
        #expect(ReleaseKeys.key(number: 42) == "REL-000042" && ReleaseKeys.key(number: 1_234_567) == "REL-1234567")
        #expect(ReleaseKeys.isValid(ReleaseKeys.key(number: 1_234_567)))
        await pool.close()
    }

    @Test("an approved change is added with its CIs unchanged; adding it twice is a conflict; it can be removed")
    func addApproved() async throws {
        let (schema, pool) = try await Self.makeSchema()
        let changes = ReleaseChanges(schema: schema)
        let key = try await Self.createRelease(schema, pool)
        try await pool.withTransaction { try await changes.add(Self.approved, to: key, by: "alice", in: $0) }
        #expect(try await changes.list(key, pool: pool) == [Self.approved])
        do {
            try await pool.withTransaction { try await changes.add(Self.approved, to: key, by: "alice", in: $0) }
            Issue.record("a change was added twice")
        } catch {
            #expect((error.underlyingCommandError)?.rule == "changes.unique")
        }
        try await pool.withTransaction { try await changes.remove("CHG0001", from: key, in: $0) }
        #expect(try await changes.list(key, pool: pool).isEmpty)
        await pool.close()
    }

    @Test("only an approved change can be added: anything else is a validation error saying why, and nothing is stored")
    func onlyApproved() async throws {
        let (schema, pool) = try await Self.makeSchema()
        let changes = ReleaseChanges(schema: schema)
        let key = try await Self.createRelease(schema, pool)
        for status in ChangeRequest.Status.allCases where status != .approved {
            var change = Self.approved
            change.status = status
            do {
                try await pool.withTransaction { try await changes.add(change, to: key, by: "alice", in: $0) }
                Issue.record("a \(status) change was added")
            } catch {
                let refusal = try #require(error.underlyingCommandError)
                #expect(refusal.kind == .validation)
                #expect(refusal.rule == "changes.only_approved")
                #expect(refusal.message.contains("'\(status.rawValue)'"))
            }
        }
        #expect(try await changes.list(key, pool: pool).isEmpty)
        await #expect(throws: (any Error).self) {
            try await pool.withTransaction { try await changes.add(Self.approved, to: "REL-999999", by: "alice", in: $0) }
        }
        await pool.close()
    }
}

extension Error {
    /// The `CommandError` inside a transaction error, if that is what the body threw.
    var underlyingCommandError: CommandError? {
        if let error = self as? CommandError { return error }
        return (self as? PostgresTransactionError)?.underlying as? CommandError
    }
}

@Suite("Release records")
struct ReleaseRepositoryTests {
    @Test("create draws a key; lock loads the row; save checks the version (a stale save is a conflict)")
    func createLockSave() async throws {
        let (schema, pool) = try await ReleaseChangesTests.makeSchema()
        let releases = ReleaseRepository(schema: schema)
        let draft = ReleaseRecord(
            key: "", title: "Payroll 'Q4' \\ ✓", type: "major", impact: "high", urgency: "medium", priority: "high",
            requester: "alice", coordinator: "carol", scheduledStart: Date(timeIntervalSince1970: 1_800_000_000),
            scheduledEnd: Date(timeIntervalSince1970: 1_800_086_400), state: Data(#"{"approvals":[]}"#.utf8))
        let created = try await pool.withTransaction { try await releases.create(draft, in: $0) }
        #expect(created.key == "REL-000001")
        let loaded = try await pool.withTransaction { try await releases.lock(created.key, in: $0) }
        #expect(loaded.title == draft.title)
        #expect(loaded.scheduledStart == draft.scheduledStart)
        #expect(loaded.phase == "initiate" && loaded.status == "draft" && loaded.version == 1)
        var changed = loaded
        changed.status = "pending_approval"
        try await pool.withTransaction { try await releases.save(changed, in: $0) }
        do {
            try await pool.withTransaction { try await releases.save(changed, in: $0) }  // version 1 again: stale
            Issue.record("a stale save went through")
        } catch {
            #expect(error.underlyingCommandError?.rule == "releases.version")
        }
        let reloaded = try await pool.withTransaction { try await releases.lock(created.key, in: $0) }
        #expect(reloaded.status == "pending_approval" && reloaded.version == 2)
        await #expect(throws: (any Error).self) {
            _ = try await pool.withTransaction { try await releases.lock("REL-424242", in: $0) }
        }
        await pool.close()
    }
}
