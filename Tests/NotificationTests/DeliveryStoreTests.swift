import Contracts
import Foundation
import NotificationCore
import Postgres
import Testing

/// The delivery records against the real PostgreSQL: one per (source, recipient, channel),
/// claimed before the attempt, reclaimed when a lease expires, a late outcome ignored.
@Suite("Delivery store: recorded before and after")
struct DeliveryStoreTests {
    let schema = "nd_\(UUID().uuidString.prefix(8).lowercased())"
    var store: DeliveryStore { DeliveryStore(schema: schema) }

    func makePool() async throws -> PostgresPool {
        let pool = try await NotifyTestData.pool()
        try await pool.query("SELECT public.shipboard_create_notify_schema(\(schema))")
        return pool
    }

    func drop(_ pool: PostgresPool) async {
        _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
    }

    func delivery(_ source: String, to recipient: String, address: String) -> NewDelivery {
        NewDelivery(
            source: source, eventId: nil, releaseKey: nil, eventType: "test.event", recipient: recipient, channel: .webhook,
            address: address, reason: "test", message: NotificationTemplateText(subject: "s", text: "t"), inDigest: false)
    }

    @Test("recorded once; claimed by one; an expired lease is claimed again as a new attempt; the old attempt's outcome changes nothing")
    func leases() async throws {
        let pool = try await makePool()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let host = "https://store-\(tag).example/hook"
        let new = delivery("test:\(tag)", to: "p-\(tag)", address: host)
        #expect(try await pool.withTransaction { try await store.insert([new, new], in: $0) } == 1)
        #expect(try await pool.withTransaction { try await store.insert([new], in: $0) } == 0)
        func claimMine(lease: Duration) async throws -> [DeliveryStore.Claimed] {
            try await pool.withTransaction { try await store.claimDue(limit: 10, lease: lease, slots: .init(perEndpoint: 8), in: $0) }
        }
        let first = try await claimMine(lease: .seconds(30))
        #expect(first.map(\.attempt) == [1])
        try #require(first.count == 1)
        #expect(try await claimMine(lease: .seconds(30)).isEmpty)
        // The lease runs out (set in the past rather than waited for: a loaded run once took
        // longer than a short lease between two claims).
        try await pool.query("UPDATE \(identifier: schema).deliveries SET lease_until = now() - interval '1 second' WHERE id = \(first[0].id)")
        let second = try await claimMine(lease: .seconds(30))
        #expect(second.map(\.attempt) == [2])
        #expect(second.first?.id == first.first?.id)
        try #require(second.count == 1)
        #expect(try await pool.withTransaction { try await store.record(.sent, id: first[0].id, attempt: 1, in: $0) } == false)
        #expect(try await pool.withTransaction {
            try await store.record(.retry(after: .zero, reason: "HTTP 500"), id: second[0].id, attempt: 2, in: $0)
        })
        let third = try await claimMine(lease: .seconds(30))
        #expect(third.map(\.attempt) == [3])
        try #require(third.count == 1)
        #expect(try await pool.withTransaction { try await store.record(.sent, id: third[0].id, attempt: 3, in: $0) })
        let state = try await pool.query("SELECT state, attempts FROM \(identifier: schema).deliveries WHERE id = \(third[0].id)").single()
            .decode((String, Int).self)
        #expect(state == ("sent", 3))
        await drop(pool)
    }

    @Test("deliveries to a busy endpoint are not claimed; others are")
    func busyEndpointsSkipped() async throws {
        let pool = try await makePool()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let slow = "https://slow-\(tag).example:8443/hook"
        let fast = "https://fast-\(tag).example/hook"
        try await pool.withTransaction {
            try await store.insert([delivery("a:\(tag)", to: "p-\(tag)", address: slow), delivery("b:\(tag)", to: "p-\(tag)", address: fast)], in: $0)
        }
        let busy = DeliveryStore.EndpointSlots(perEndpoint: 8, free: ["slow-\(tag).example:8443": 0])
        let claimed = try await pool.withTransaction { try await store.claimDue(limit: 10, lease: .seconds(30), slots: busy, in: $0) }
        #expect(claimed.map(\.address) == [fast])
        try #require(claimed.count == 1)
        // Put back (the endpoint was full after all): not an attempt, due again.
        try await pool.withTransaction { try await store.putBack([(claimed[0].id, 1)], after: .zero, in: $0) }
        let again = try await pool.withTransaction {
            try await store.claimDue(limit: 10, lease: .seconds(30), slots: .init(perEndpoint: 8), in: $0)
        }
        #expect(Set(again.map(\.address)) == [fast, slow])
        #expect(again.allSatisfy { $0.attempt == 1 })
        await drop(pool)
    }

    @Test("a claim takes at most each endpoint's free slots, oldest first; the rest stay pending for the next claim")
    func claimsWithinEndpointSlots() async throws {
        let pool = try await makePool()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let one = "https://one-\(tag).example/hook"
        let two = "https://two-\(tag).example/hook"
        try await pool.withTransaction {
            try await store.insert((1...5).map { delivery("one\($0):\(tag)", to: "p-\(tag)", address: one) }, in: $0)
            try await store.insert((1...3).map { delivery("two\($0):\(tag)", to: "p-\(tag)", address: two) }, in: $0)
        }
        // `one` has a send in flight (1 of 3 slots left); `two` has none (3 each).
        let slots = DeliveryStore.EndpointSlots(perEndpoint: 3, free: ["one-\(tag).example": 1])
        let claimed = try await pool.withTransaction { try await store.claimDue(limit: 10, lease: .seconds(30), slots: slots, in: $0) }
        #expect(claimed.filter { $0.address == one }.count == 1)
        #expect(claimed.filter { $0.address == two }.count == 3)
        let pending = try await pool.query(
            "SELECT count(*) FROM \(identifier: schema).deliveries WHERE state = 'pending' AND attempts = 0"
        ).single().decode(Int.self)
        #expect(pending == 4)
        await drop(pool)
    }

    @Test("the endpoint is a webhook's or chat hook's authority, lower-cased; every email shares one; a full endpoint's backlog hides no other's rows")
    func endpointsAndBacklogs() async throws {
        let pool = try await makePool()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let busy = "https://Busy-\(tag).Example:8443/a/b?c#d"
        try await pool.withTransaction { transaction in
            // 60 old rows for the busy endpoint, then one for another: a claim of 2 reads only
            // the 8 oldest due rows, and must not see only the busy endpoint's.
            try await store.insert((1...60).map { delivery("busy\($0):\(tag)", to: "p-\(tag)", address: busy) }, in: transaction)
            try await transaction.query("UPDATE \(identifier: schema).deliveries SET next_attempt_at = now() - interval '1 hour'")
            var chat = delivery("chat:\(tag)", to: "p-\(tag)", address: "https://chat-\(tag).example/T1/B2")
            chat.channel = .chat
            var email = delivery("mail:\(tag)", to: "p-\(tag)", address: "p@example.com")
            email.channel = .email
            try await store.insert([chat, email], in: transaction)
        }
        let slots = DeliveryStore.EndpointSlots(perEndpoint: 8, free: ["busy-\(tag).example:8443": 0])
        let claimed = try await pool.withTransaction { try await store.claimDue(limit: 2, lease: .seconds(30), slots: slots, in: $0) }
        #expect(Set(claimed.map(\.endpoint)) == ["chat-\(tag).example", "email"])
        let all = try await pool.withTransaction {
            try await store.claimDue(limit: 100, lease: .seconds(30), slots: .init(perEndpoint: 100), in: $0)
        }
        #expect(all.count == 60)
        #expect(Set(all.map(\.endpoint)) == ["busy-\(tag).example:8443"])
        await drop(pool)
    }

    @Test("outcomes are recorded together; one whose attempt no longer holds its row is not")
    func batchedOutcomes() async throws {
        let pool = try await makePool()
        let tag = UUID().uuidString.prefix(8).lowercased()
        try await pool.withTransaction {
            try await store.insert((1...3).map { delivery("b\($0):\(tag)", to: "p-\(tag)", address: "https://b-\(tag).example/h") }, in: $0)
        }
        let claimed = try await pool.withTransaction {
            try await store.claimDue(limit: 10, lease: .seconds(30), slots: .init(perEndpoint: 8), in: $0)
        }
        try #require(claimed.count == 3)
        let recorded = try await pool.withTransaction {
            try await store.record([
                .init(id: claimed[0].id, attempt: 1, outcome: .sent),
                .init(id: claimed[1].id, attempt: 1, outcome: .retry(after: .seconds(60), reason: "HTTP 503")),
                .init(id: claimed[2].id, attempt: 7, outcome: .failed(reason: "late")),
            ], in: $0)
        }
        #expect(recorded == [claimed[0].id, claimed[1].id])
        let rows = try await pool.query(
            """
            SELECT id, state, coalesce(last_error, ''), next_attempt_at > now() + interval '50 seconds', sent_at IS NOT NULL
            FROM \(identifier: schema).deliveries
            """
        ).map { try $0.decode((UUID, String, String, Bool, Bool).self) }
        let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0.0, "\($0.1) \($0.2) later=\($0.3) sentAt=\($0.4)") })
        #expect(byId[claimed[0].id] == "sent  later=false sentAt=true")
        #expect(byId[claimed[1].id] == "pending HTTP 503 later=true sentAt=false")
        #expect(byId[claimed[2].id] == "sending  later=false sentAt=false")
        await drop(pool)
    }
}

extension DeliveryStore {
    /// One attempt's outcome through the batch statement; false when the row has moved on.
    func record(_ outcome: Outcome, id: UUID, attempt: Int, in transaction: PostgresTransaction) async throws -> Bool {
        try await record([AttemptOutcome(id: id, attempt: attempt, outcome: outcome)], in: transaction).contains(id)
    }
}
