import Contracts
import Foundation
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// The gateway's read side against the real database: detail, filtered pages, audit and
/// impact of releases recorded through the repository in a schema of the test's own.
@Suite("Release queries")
struct ReleaseQueryTests {
    @Test("detail carries record, gate decisions, history and changes; audit and impact set; unknown keys are notFound")
    func detail() async throws {
        let fixture = try await ReleaseQueryFixture.make()
        defer { Task { await fixture.drop() } }
        let key = try await fixture.release("Payroll 'Q4' \\ ✓", requester: "alice", coordinator: "carol")
        try await fixture.apply([(.submit, "alice"), (.approve(comment: "ok"), "dave")], to: key)
        let cis = CIRepository(schema: fixture.schema, pool: fixture.pool)
        for (ciKey, ciClass) in [("CI-DB-0001", CIClass.database), ("CI-APP-0001", .application), ("CI-APP-0002", .application)] {
            try await cis.upsert(ConfigurationItem(key: ciKey, name: ciKey, ciClass: ciClass))
        }
        try await cis.addRelationship(CIRelationship(source: "CI-APP-0001", target: "CI-DB-0001", kind: .dependsOn))
        try await fixture.pool.withTransaction { transaction in
            try await ReleaseChanges(schema: fixture.schema).add(
                ChangeRequest(externalID: "CHG0001", title: "Patch DB", status: .approved, risk: .low, affectedCIs: ["CI-DB-0001"]),
                to: key, by: "carol", in: transaction)
            var record = try await ReleaseRepository(schema: fixture.schema).lock(key, in: transaction)
            record.auditHead = try await AuditTrail(schema: fixture.schema, keyring: TestAuditKeys.keyring).append(
                after: record.auditHead, actor: "alice", action: "release.created", in: transaction
            ).head
            try await ReleaseRepository(schema: fixture.schema).save(record, in: transaction)
        }

        let detail = try await fixture.queries.release(key)
        #expect(detail.title == "Payroll 'Q4' \\ ✓" && detail.requester == "alice" && detail.coordinator == "carol")
        #expect(detail.phase == .initiate && detail.status == .inProgress && detail.version == 3)
        #expect(detail.currentGate?.approverGroup == "cab")
        #expect(detail.approvals.map(\.actor) == ["dave"] && detail.approvals.first?.verdict == .approved)
        #expect(detail.history.map(\.action) == [.submitted, .approved])
        #expect(detail.changes.map(\.externalID) == ["CHG0001"])
        #expect(try await fixture.queries.auditEntries(of: key).map(\.action) == ["release.created"])
        #expect(try await fixture.queries.impactSet(of: key).map(\.key) == ["CI-APP-0001", "CI-DB-0001"])

        let unknownLookups: [() async throws -> Void] = [
            { _ = try await fixture.queries.release("REL-999999") },
            { _ = try await fixture.queries.auditEntries(of: "REL-999999") },
            { _ = try await fixture.queries.impactSet(of: "'; DROP TABLE releases; --") },
        ]
        for lookup in unknownLookups {
            do {
                try await lookup()
                Issue.record("an unknown release was found")
            } catch let error as CommandError {
                #expect(error.kind == .notFound)
            }
        }
    }

    @Test("filters by phase, status, requester, coordinator and title; LIKE wildcards match literally")
    func filters() async throws {
        let fixture = try await ReleaseQueryFixture.make()
        defer { Task { await fixture.drop() } }
        let percent = try await fixture.release("100% done", requester: "alice", coordinator: "carol")
        let underscore = try await fixture.release("a_b rollout", requester: "bob", coordinator: "carol")
        let backslash = try await fixture.release("path x\\y", requester: "bob", coordinator: "erin")
        let plain = try await fixture.release("Plain 100 aXb", requester: "alice", coordinator: "erin")
        try await fixture.apply([(.submit, "alice")], to: plain)

        func keys(_ filter: ReleaseFilter) async throws -> [String] { try await fixture.queries.releases(filter).items.map(\.key) }
        #expect(try await keys(ReleaseFilter()) == [percent, underscore, backslash, plain])
        #expect(try await keys(ReleaseFilter(requester: "alice")) == [percent, plain])
        #expect(try await keys(ReleaseFilter(coordinator: "erin")) == [backslash, plain])
        #expect(try await keys(ReleaseFilter(status: .pendingApproval)) == [plain])
        #expect(try await keys(ReleaseFilter(phase: .initiate, status: .draft, requester: "bob")) == [underscore, backslash])
        #expect(try await keys(ReleaseFilter(phase: .plan)).isEmpty)
        #expect(try await keys(ReleaseFilter(titleContains: "%")) == [percent])
        #expect(try await keys(ReleaseFilter(titleContains: "a_b")) == [underscore])
        #expect(try await keys(ReleaseFilter(titleContains: "_")) == [underscore])
        #expect(try await keys(ReleaseFilter(titleContains: "\\")) == [backslash])
        #expect(try await keys(ReleaseFilter(titleContains: "PLAIN")) == [plain])
        #expect(try await keys(ReleaseFilter(titleContains: "'; DROP TABLE releases; --")).isEmpty)
        let item = try #require(try await fixture.queries.releases(ReleaseFilter(requester: "alice", limit: 1)).items.first)
        #expect(item.title == "100% done" && item.status == .draft && item.phase == .initiate)
    }

    @Test("pages by key without duplicates or gaps; a limit outside 1…200 is refused")
    func paging() async throws {
        let fixture = try await ReleaseQueryFixture.make()
        defer { Task { await fixture.drop() } }
        var created: [String] = []
        for number in 1...7 { created.append(try await fixture.release("Release \(number)", requester: "alice", coordinator: "carol")) }
        for limit in [1, 2, 3, 7, 200] {
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let page = try await fixture.queries.releases(ReleaseFilter(limit: limit, afterKey: after))
                #expect(page.items.count <= limit)
                seen += page.items.map(\.key)
                after = page.nextAfterKey
                pages += 1
            } while after != nil && pages < 20
            #expect(seen == created.sorted(), "limit \(limit)")
            #expect(pages == max(1, (created.count + limit - 1) / limit), "limit \(limit)")
        }
        for limit in [0, -1, 201] {
            do {
                _ = try await fixture.queries.releases(ReleaseFilter(limit: limit))
                Issue.record("limit \(limit) was accepted")
            } catch let error as CommandError {
                #expect(error.kind == .validation && error.fields?["limit"] != nil)
            }
        }
    }
}

/// A schema of its own with the release, audit and CI tables, and releases made through
/// the repository and the lifecycle rules (no broker needed).
struct ReleaseQueryFixture {
    let schema: String
    let pool: PostgresPool
    var queries: ReleaseQueries { ReleaseQueries(schema: schema, pool: pool) }

    static func make() async throws -> ReleaseQueryFixture {
        let (schema, pool) = try await PlanningTestSchema.make("query", maxConnections: 2)
        return ReleaseQueryFixture(schema: schema, pool: pool)
    }

    /// Records a draft release with a gate on `initiate`; returns its key.
    func release(_ title: String, requester: String, coordinator: String) async throws -> String {
        try await pool.withTransaction { transaction in
            let key = try await ReleaseKeys.next(schema: schema, in: transaction)
            let state = ReleaseState(
                key: key, type: .minor, requester: requester, coordinator: coordinator,
                gates: [.initiate: ApprovalGate(approverGroup: "cab")])
            let record = ReleaseRecord(
                key: key, title: title, type: "minor", impact: "medium", urgency: "medium", priority: "moderate",
                requester: requester, coordinator: coordinator, state: try ContractCoding.encode(state))
            return try await ReleaseRepository(schema: schema).create(record, in: transaction).key
        }
    }

    /// Applies lifecycle commands in order and saves the release, as the handlers do.
    func apply(_ commands: [(LifecycleCommand, String)], to key: String) async throws {
        try await pool.withTransaction { transaction in
            let releases = ReleaseRepository(schema: schema)
            var record = try await releases.lock(key, in: transaction)
            var state = try ContractCoding.decode(ReleaseState.self, from: record.state)
            for (command, actor) in commands {
                state = try ReleaseLifecycle.apply(command, to: state, by: actor, at: Date()).state
            }
            record.phase = state.phase.rawValue
            record.status = state.status.rawValue
            record.state = try ContractCoding.encode(state)
            try await releases.save(record, in: transaction)
        }
    }

    func drop() async {
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }
}
