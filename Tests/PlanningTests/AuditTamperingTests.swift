import Contracts
import Foundation
import MetricsTestKit
import PlanningCore
import Postgres
import ShipboardTestSupport
import Testing

/// The attacks of issue 9, item 5, on releases made through the real planning handlers
/// (request/reply, PostgreSQL, RabbitMQ). The attacker here is the schema's owner with the
/// append-only triggers switched off: everything the service role could do, and more. It
/// has everything but the service's key; it makes MACs with a key of its own under the
/// same key id.
@Suite("Audit trail: forged, cut, deleted, rewritten and shifted entries are found")
struct AuditTamperingTests {
    static let attacker = AuditKeyring.random(id: TestAuditKeys.keyring.currentID)

    /// Runs `statements` as the superuser with triggers off (what an owner can arrange).
    static func asOwner(_ statements: [PostgresQuery]) async throws {
        let admin = PostgresPool(
            configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_ADMIN_URL")), maxConnections: 1)
        try await admin.withTransaction { transaction in
            try await transaction.query("SET LOCAL session_replication_role = replica")
            for statement in statements { try await transaction.query(statement) }
        }
        await admin.close()
    }

    /// A release in `initiate`/`in_progress` with a change: created, change added, submitted
    /// (and its status change), approved (and its status change): 6 entries.
    static func release(_ harness: PlanningHarness, _ title: String) async throws -> String {
        _ = await harness.refusal(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
        let key = try await harness.send(CreateRelease(title: title, requester: "alice", coordinator: "carol"), as: "alice").releaseKey
        _ = try await harness.send(
            AddChange(releaseKey: key, change: ChangeRequestInput(externalId: "CHG1", title: "Patch", status: "approved", risk: "low")),
            as: "carol")
        _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
        _ = try await harness.send(ApproveRelease(releaseKey: key, comment: "CAB ok", expectedPhase: .initiate), as: "dave")
        return key
    }

    /// Appends with the attacker's key after `head` (as the owner, into the real table) and
    /// moves the release row's head and state to match, so only the MAC can tell.
    static func forge(
        _ harness: PlanningHarness, after head: AuditHead, actor: String, action: String, phase: String, status: String
    ) async throws -> AuditHead {
        let forged = try await harness.pool.withTransaction { transaction in
            try await AuditTrail(schema: harness.schema, keyring: attacker).append(
                after: head, actor: actor, action: action, details: ["phase": phase, "status": status], in: transaction)
        }
        try await harness.pool.query(
            """
            UPDATE \(identifier: harness.schema).releases SET audit_seq = \(forged.seq), audit_mac = \(forged.mac),
                   phase = \(phase), status = \(status) WHERE key = \(head.chain)
            """)
        return forged.head
    }

    static func head(_ harness: PlanningHarness, _ key: String) async throws -> AuditHead {
        let (seq, mac) = try await harness.pool.query(
            "SELECT audit_seq, audit_mac FROM \(identifier: harness.schema).releases WHERE key = \(key)").single().decode((Int, String).self)
        return AuditHead(chain: key, seq: seq, mac: mac)
    }

    @Test("commands leave an intact chain whose head is on the release row and in every event")
    func headsInRowAndEvents() async throws {
        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Heads")
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            #expect(try await trail.verify(chain: key, pool: harness.pool) == .intact(entries: 6))
            let entries = try await trail.reader.entries(chain: key, pool: harness.pool)
            #expect(try await Self.head(harness, key) == entries.last?.head)
            let bodies = try await harness.pool.query(
                "SELECT convert_from(body, 'UTF8') FROM \(identifier: harness.schema).outbox WHERE correlation_id = \(key) ORDER BY seq"
            ).map { try $0.decode(at: 0, as: String.self) }
            let heads = try bodies.map { try ContractCoding.decode(EnvelopeHeader.self, from: Data($0.utf8)).auditHead }
            #expect(heads == entries.map(\.head), "each event carries the head of the entry recording it")
            // Who, what, the parties at creation, the comment: what an auditor needs.
            #expect(entries[0].details["requester"] == "alice" && entries[0].details["coordinator"] == "carol")
            #expect(entries[1].details["change"] == "CHG1" && entries[1].details["title"] == "Patch")
            #expect(entries[4].action == "release.approved" && entries[4].actor == "dave")
            #expect(entries[4].details["comment"] == "CAB ok" && entries[4].details["from"] == "initiate/pending_approval")
            #expect(entries.last?.details["phase"] == "initiate" && entries.last?.details["status"] == "in_progress")
        }
    }

    @Test("a forged release.approved appended with the head and state moved to match is found at that entry")
    func forgedAppend() async throws {
        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Forged")
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            let head = try await Self.head(harness, key)
            _ = try await Self.forge(harness, after: head, actor: "mallory", action: "release.approved", phase: "deploy", status: "in_progress")
            #expect(try await trail.verify(chain: key, pool: harness.pool)
                == .broken(seq: 7, reason: "entry 7 was changed after it was written, or not written by the service"))
        }
    }

    @Test("cutting the tail is found from the head; cutting it with the head rolled back is found by the events' heads")
    func truncation() async throws {
        try await PlanningHarness.run { harness in
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            let log = "\(harness.schema).audit_log"
            let cut = try await Self.release(harness, "Cut")
            try await Self.asOwner([PostgresQuery(unsafeSQL: "DELETE FROM \(log) WHERE release_key = '\(cut)' AND seq >= 4")])
            #expect(try await trail.verify(chain: cut, pool: harness.pool)
                == .broken(seq: 4, reason: "entries 4–6 are missing: the chain was cut back"))

            // The head and the state rolled back too, to entry 3 (submitted): the database alone
            // now looks consistent, but the approval's events still name entries 5 and 6.
            let rolled = try await Self.release(harness, "Rolled back")
            let entries = try await trail.reader.entries(chain: rolled, pool: harness.pool)
            try await Self.asOwner([
                PostgresQuery(unsafeSQL: "DELETE FROM \(log) WHERE release_key = '\(rolled)' AND seq >= 4"),
                PostgresQuery(unsafeSQL: """
                    UPDATE \(harness.schema).releases SET audit_seq = 3, audit_mac = '\(entries[2].mac)', status = 'pending_approval'
                    WHERE key = '\(rolled)'
                    """),
            ])
            #expect(try await trail.verify(chain: rolled, pool: harness.pool) == .intact(entries: 3))
            #expect(try await trail.holds(entries[2].head, pool: harness.pool))
            #expect(try await !trail.holds(entries[5].head, pool: harness.pool), "the published head of entry 6 is gone")
        }
    }

    @Test("deleting a release's whole chain is found: its row still names the head")
    func chainDeletion() async throws {
        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Deleted")
            try await Self.asOwner([PostgresQuery(unsafeSQL: "DELETE FROM \(harness.schema).audit_log WHERE release_key = '\(key)'")])
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            #expect(try await trail.verify(chain: key, pool: harness.pool)
                == .broken(seq: 1, reason: "entries 1–6 are missing: the chain was cut back"))
        }
    }

    @Test("a rewrite with every later MAC recomputed (under a key the attacker made) and the head moved is found at the rewritten entry")
    func rewriteWithRecomputedMACs() async throws {
        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Rewritten")
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            let entries = try await trail.reader.entries(chain: key, pool: harness.pool)
            // Entry 5 (dave's approval) rewritten as mallory's, as an owner would: remove it and
            // what follows, append anew with MACs chained under the attacker's key, move the head.
            try await Self.asOwner([PostgresQuery(unsafeSQL: "DELETE FROM \(harness.schema).audit_log WHERE release_key = '\(key)' AND seq >= 5")])
            _ = try await Self.forge(
                harness, after: entries[3].head, actor: "mallory", action: "release.approved", phase: "initiate", status: "in_progress")
            #expect(try await trail.verify(chain: key, pool: harness.pool)
                == .broken(seq: 5, reason: "entry 5 was changed after it was written, or not written by the service"))
        }
    }

    @Test("shifting bytes between adjacent fields (same concatenation) is found: the encoding is length-prefixed")
    func fieldBoundaryShift() async throws {
        // The old hash joined fields with '|': "dave|release.approved" hashed alike however the
        // bytes were split between fields that themselves hold '|'. Length prefixes tell them apart.
        let a = AuditSealedFields(
            keyID: "k1", chain: "REL-000001", seq: 2, actor: "dave|release.approved", action: "x", details: [:],
            occurredAtMicros: 1, previousMAC: AuditTrail.genesisMAC)
        var b = a
        b.actor = "dave"
        b.action = "release.approved|x"
        #expect(a.canonicalBytes != b.canonicalBytes)
        var c = a
        c.details = ["a": "b|c"]
        var d = a
        d.details = ["a|b": "c"]
        #expect(c.canonicalBytes != d.canonicalBytes)

        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Shifted")
            // "dave" + "release.approved" becomes "davere" + "lease.approved": same bytes in a row.
            try await Self.asOwner([PostgresQuery(unsafeSQL: """
                UPDATE \(harness.schema).audit_log SET actor = 'davere', action = 'lease.approved'
                WHERE release_key = '\(key)' AND seq = 5
                """)])
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            #expect(try await trail.verify(chain: key, pool: harness.pool)
                == .broken(seq: 5, reason: "entry 5 was changed after it was written, or not written by the service"))
        }
    }

    @Test("a release row moved to another phase or status behind the service's back no longer matches its last entry")
    func rowStateChanged() async throws {
        try await PlanningHarness.run { harness in
            let key = try await Self.release(harness, "Moved")
            try await harness.pool.query(
                "UPDATE \(identifier: harness.schema).releases SET phase = 'deploy', status = 'in_progress' WHERE key = \(key)")
            let trail = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
            #expect(try await trail.verify(chain: key, pool: harness.pool)
                == .broken(seq: 6, reason: "the release row is deploy/in_progress, but its last audited entry left it initiate/in_progress"))
        }
    }

    @Test("the periodic verification finds every broken chain, leaves intact ones alone, and announces each finding once")
    func periodicVerification() async throws {
        try await PlanningHarness.run { harness in
            let intact = try await Self.release(harness, "Intact")
            let moved = try await Self.release(harness, "Moved")
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0001", name: "App", ciClass: .application), as: "carol")
            try await harness.pool.query(
                "UPDATE \(identifier: harness.schema).releases SET status = 'completed', phase = 'review' WHERE key = \(moved)")
            try await Self.asOwner([PostgresQuery(unsafeSQL: "DELETE FROM \(harness.schema).audit_log WHERE release_key = 'CMDB'")])
            let metrics = TestMetrics()
            let verifier = AuditVerifier(
                trail: AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring), pool: harness.pool, batchSize: 1,
                metricsFactory: metrics)
            let first = try await verifier.verifyAll()
            #expect(Set(first.keys) == [moved, "CMDB"], "and not \(intact)")
            let dimensions = [("schema", harness.schema)]
            #expect(try metrics.expectGauge("shipboard_audit_chains_broken", dimensions).lastValue == 2)
            #expect(try metrics.expectGauge("shipboard_audit_chains_verified", dimensions).lastValue == 4, "2 releases, CMDB, CONFIGURATION")
            #expect(try #require(metrics.expectGauge("shipboard_audit_last_pass_timestamp_seconds", dimensions).lastValue) > 1_700_000_000)
            _ = try await verifier.verifyAll()
            let announced = try await harness.pool.query(
                """
                SELECT correlation_id FROM \(identifier: harness.schema).outbox
                WHERE message_type = \(AuditChainBroken.messageType) ORDER BY correlation_id
                """).map { try $0.decode(at: 0, as: String.self) }
            #expect(announced == ["CMDB", moved].sorted(), "one event per finding, not one per pass")
        }
    }
}
