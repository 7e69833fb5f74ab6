import Foundation
import Messaging
import Postgres
import Testing

@Suite("Inbox")
struct InboxTests {
    @Test("a claim succeeds once per consumer; pruning removes only this consumer's old rows")
    func claimAndPrune() async throws {
        let fixture = try await MessagingFixture.make("inbox")
        let inbox = Inbox(schema: fixture.schema, consumer: "planning.events")
        let other = Inbox(schema: fixture.schema, consumer: "notify.events")
        let id = UUID()
        let claims = try await fixture.pool.withTransaction { transaction in
            [try await inbox.claim(id, in: transaction), try await inbox.claim(id, in: transaction),
             try await other.claim(id, in: transaction)]
        }
        #expect(claims == [true, false, true])
        try await fixture.pool.query(
            "UPDATE \(identifier: fixture.schema).inbox SET received_at = now() - interval '2 hours'")
        _ = try await fixture.pool.withTransaction { try await inbox.claim(UUID(), in: $0) }
        #expect(try await inbox.prune(olderThan: .seconds(3600), pool: fixture.pool) == 1)
        let remaining = try await fixture.pool.query(
            "SELECT consumer FROM \(identifier: fixture.schema).inbox ORDER BY consumer").map { try $0.decode(at: 0, as: String.self) }
        #expect(remaining == ["notify.events", "planning.events"])
        await fixture.drop()
    }
}
