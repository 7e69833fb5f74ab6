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
        let first = try await claimMine(lease: .milliseconds(300))
        #expect(first.map(\.attempt) == [1])
        try #require(first.count == 1)
        #expect(try await claimMine(lease: .seconds(30)).isEmpty)
        try await Task.sleep(for: .milliseconds(400))
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
        let busy = DeliveryStore.EndpointSlots(perEndpoint: 8, free: [EndpointGate.endpoint(channel: .webhook, address: slow): 0])
        let claimed = try await pool.withTransaction { try await store.claimDue(limit: 10, lease: .seconds(30), slots: busy, in: $0) }
        #expect(claimed.map(\.address) == [fast])
        try #require(claimed.count == 1)
        // Put back (the endpoint was full after all): not an attempt, due again.
        try await pool.withTransaction { try await store.putBack(id: claimed[0].id, attempt: 1, after: .zero, in: $0) }
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
        let slots = DeliveryStore.EndpointSlots(perEndpoint: 3, free: [EndpointGate.endpoint(channel: .webhook, address: one): 1])
        let claimed = try await pool.withTransaction { try await store.claimDue(limit: 10, lease: .seconds(30), slots: slots, in: $0) }
        #expect(claimed.filter { $0.address == one }.count == 1)
        #expect(claimed.filter { $0.address == two }.count == 3)
        let pending = try await pool.query(
            "SELECT count(*) FROM \(identifier: schema).deliveries WHERE state = 'pending' AND attempts = 0"
        ).single().decode(Int.self)
        #expect(pending == 4)
        await drop(pool)
    }
}
