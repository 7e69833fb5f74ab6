import Contracts
import Foundation
import NotificationCore
import Postgres
import Testing

/// The communication plan against the real PostgreSQL: scheduled from the accepted image's
/// plan, following the deployment's start, sent once when due or on an outcome, cancelled
/// with the release.
@Suite("Notify communication plans")
struct NotifyCommunicationPlanTests {
    static let sha = String(repeating: "ab", count: 32)

    static let plan = """
        ---
        audiences: [stakeholders, site-contacts]
        schedule:
          - at: -24h
            subject: The deployment is tomorrow
          - at: -1h
            audiences: [site-contacts]
            subject: The deployment starts in an hour
          - on: completed
            audiences: [stakeholders]
            subject: The release is live
        ---
        # What changes
        Payroll runs faster.
        """

    func accept(_ data: NotifyTestData, _ pool: PostgresPool) async throws {
        try await data.handle(data.envelope(
            ImageBuilt(releaseKey: data.releaseKey, taskKey: "build", sha256: Self.sha, size: 10, fileCount: 3, communicationPlan: Self.plan),
            actor: "bea"), pool)
        let entry = DMLEntry(
            name: "payroll-\(data.tag)", version: "1.0.0", sha256: Self.sha, size: 10, releaseKey: data.releaseKey, buildId: 1,
            testRunId: 1, acceptedBy: "tess", acceptedAt: "2026-11-30T10:00:00Z", overrideReason: nil, state: "active")
        try await data.handle(data.envelope(DMLEntryAdded(entry: entry, releaseKey: data.releaseKey, acceptedBy: "tess"), actor: "tess"), pool)
    }

    func sends(_ data: NotifyTestData, _ pool: PostgresPool) async throws -> [(subject: String, due: Date?, state: String)] {
        try await pool.query(
            "SELECT subject, due_at, state FROM \(identifier: data.schema).scheduled_sends WHERE release_key = \(data.releaseKey) ORDER BY entry_index"
        ).map { try $0.decode((String, Date?, String).self) }
    }

    @Test("the accepted image's plan is scheduled from the deployment's start and follows it when the release is rescheduled")
    func scheduleFollowsStart() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        let start = Date().addingTimeInterval(10 * 86_400).rounded
        try await data.insert(into: pool, start: start)
        try await accept(data, pool)
        var scheduled = try await sends(data, pool)
        #expect(scheduled.map(\.subject) == ["The deployment is tomorrow", "The deployment starts in an hour", "The release is live"])
        #expect(scheduled[0].due == start.addingTimeInterval(-86_400))
        #expect(scheduled[1].due == start.addingTimeInterval(-3600))
        #expect(scheduled[2].due == nil)
        let moved = start.addingTimeInterval(2 * 86_400)
        try await pool.query("UPDATE planning.releases SET scheduled_start = \(moved) WHERE key = \(data.releaseKey)")
        try await data.handle(data.envelope(ReleaseUpdated(releaseKey: data.releaseKey, actor: "rita", fields: ["scheduledStart"]), actor: "rita"), pool)
        scheduled = try await sends(data, pool)
        #expect(scheduled[0].due == moved.addingTimeInterval(-86_400))
        // Accepted again (a redelivery): nothing doubles.
        try await accept(data, pool)
        #expect(try await sends(data, pool).count == 3)
        await data.drop(pool)
    }

    @Test("a due message is sent once to its audiences (email and in-app), with the plan's text; an outcome's on the rollout event")
    func dueAndOutcome() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        // Starts in 30 minutes: both offset messages are due now.
        try await data.insert(into: pool, start: Date().addingTimeInterval(1800))
        try await accept(data, pool)
        let scheduler = BriefingScheduler(
            schemas: data.schemas, links: NotificationLinks(baseURL: "https://shipboard.example"), pool: pool, digestHourUTC: 8,
            logger: .init(label: "test"))
        while try await scheduler.sendDue() > 0 {}
        #expect(try await scheduler.sendDue() == 0)
        let briefings = try await pool.query(
            """
            SELECT recipient, channel, subject, body_text FROM \(identifier: data.schema).deliveries
            WHERE release_key = \(data.releaseKey) AND event_type = 'briefing' ORDER BY subject, recipient, channel
            """
        ).map { try $0.decode((String, String, String, String).self) }
        let tomorrow = briefings.filter { $0.2.contains("The deployment is tomorrow") }
        // stakeholders: requester, coordinator, the approvers of the pending gate, site contacts; never the outsider.
        #expect(Set(tomorrow.map(\.0)) == [data.requester, data.coordinator, data.approver, data.siteContact])
        #expect(tomorrow.count == 8)
        #expect(tomorrow.allSatisfy { $0.3.contains("Payroll runs faster.") })
        let hour = briefings.filter { $0.2.contains("starts in an hour") }
        #expect(Set(hour.map(\.0)) == [data.siteContact])
        // The outcome message on rollout.completed, once even if the event comes twice.
        let completed = try data.envelope(RolloutCompleted(releaseKey: data.releaseKey, rolloutId: "r1"), actor: "shipboard-rollout")
        try await data.handle(completed, pool)
        try await data.handle(completed, pool)
        let live = try await pool.query(
            "SELECT count(*) FROM \(identifier: data.schema).deliveries WHERE release_key = \(data.releaseKey) AND subject LIKE '%The release is live%'"
        ).single().decode(Int.self)
        #expect(live == 8)
        await data.drop(pool)
    }

    @Test("a cancelled release sends nothing more")
    func cancelled() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool, start: Date().addingTimeInterval(5 * 86_400))
        try await accept(data, pool)
        try await data.handle(data.envelope(
            ReleaseStatusChanged(releaseKey: data.releaseKey, actor: "rita", phase: .plan, from: .inProgress, to: .cancelled,
                                 reason: "no longer needed"), actor: "rita"), pool)
        #expect(try await sends(data, pool).allSatisfy { $0.state == "cancelled" })
        await data.drop(pool)
    }
}

extension Date {
    /// Whole seconds: what survives a round trip through timestamptz exactly.
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
