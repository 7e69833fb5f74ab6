import Contracts
import Foundation
import NotificationCore
import Postgres
import Testing

/// The intake against the real PostgreSQL: who is told what by role, subscription and
/// preference, and what a redelivered event does (nothing).
@Suite("Notify intake: stakeholders, subscriptions, preferences")
struct NotifyIntakeTests {

    @Test("a phase change reaches the requester (and the approvers of the gate it waits at) by email and in the app, not the coordinator who made it; twice is once")
    func phaseChange() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool)
        let event = try data.envelope(ReleasePhaseChanged(releaseKey: data.releaseKey, actor: data.coordinator, from: .initiate, to: .plan),
                                      actor: data.coordinator)
        try await data.handle(event, pool)
        try await data.handle(event, pool)
        let deliveries = try await data.deliveries(in: pool)
        #expect(deliveries.map { "\($0.recipient) \($0.channel) \($0.state)" } == [
            "\(data.approver) email pending", "\(data.approver) in_app sent",
            "\(data.requester) email pending", "\(data.requester) in_app sent",
        ])
        let subject = try await pool.query(
            """
            SELECT subject, body_text FROM \(identifier: data.schema).deliveries
            WHERE release_key = \(data.releaseKey) AND channel = 'email' AND recipient = \(data.requester)
            """
        ).single().decode((String, String).self)
        #expect(subject.0.contains(data.releaseKey))
        #expect(subject.1.contains("plan"))
        await data.drop(pool)
    }

    @Test("a submission asks the approver group's members, with the approval page's link")
    func approvalRequest() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool)
        try await data.handle(
            data.envelope(ReleaseSubmitted(releaseKey: data.releaseKey, actor: data.requester, approverGroup: data.approverGroup),
                          actor: data.requester), pool)
        let approver = try await pool.query(
            """
            SELECT body_text FROM \(identifier: data.schema).deliveries WHERE release_key = \(data.releaseKey) AND recipient = \(data.approver)
              AND channel = 'email'
            """).single().decode(String.self)
        #expect(approver.contains("https://shipboard.example/releases/\(data.releaseKey)/approvals"))
        let all = try await data.deliveries(in: pool)
        #expect(!all.contains { $0.recipient == data.outsider })
        await data.drop(pool)
    }

    @Test("a rollout start reaches the site's contact; a webhook subscription to rollout.* adds the outsider's webhook")
    func siteContactsAndSubscriptions() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool, webhook: "https://hooks.example/\(data.tag)")
        try await pool.query(
            """
            INSERT INTO \(identifier: data.schema).subscriptions (id, subscriber_kind, subscriber, event_pattern, channel, release_key, created_by)
            VALUES (\(UUID()), 'person', \(data.outsider), 'rollout.*', 'webhook', \(data.releaseKey), \(data.outsider))
            """)
        try await data.handle(data.envelope(RolloutStarted(releaseKey: data.releaseKey, rolloutId: "r1"), actor: "otto"), pool)
        let deliveries = try await data.deliveries(in: pool)
        #expect(deliveries.contains { $0.recipient == data.siteContact && $0.channel == "email" })
        #expect(deliveries.contains { $0.recipient == data.outsider && $0.channel == "webhook" && $0.state == "pending" })
        #expect(!deliveries.contains { $0.recipient == data.outsider && $0.channel == "email" })
        await data.drop(pool)
    }

    @Test("a muted release tells nobody who muted it; a digest waits, then goes out once a day as one message")
    func muteAndDigest() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool)
        try await pool.query(
            """
            INSERT INTO \(identifier: data.schema).preferences (person, release_key, mode) VALUES (\(data.requester), \(data.releaseKey), 'digest'),
                                                                            (\(data.siteContact), '', 'mute')
            """)
        for (from, to) in [(ReleasePhase.initiate, ReleasePhase.plan), (.plan, .build)] {
            try await data.handle(data.envelope(ReleasePhaseChanged(releaseKey: data.releaseKey, actor: "someone", from: from, to: to),
                                           actor: "someone"), pool)
        }
        try await data.handle(data.envelope(RolloutStarted(releaseKey: data.releaseKey, rolloutId: "r1"), actor: "otto"), pool)
        let before = try await data.deliveries(in: pool)
        #expect(before.filter { $0.recipient == data.requester }.allSatisfy { $0.state == "digest" })
        #expect(before.filter { $0.recipient == data.requester }.count == 4)  // two events, email and in-app
        #expect(!before.contains { $0.recipient == data.siteContact })
        // Collected at a time after the next digest hour: one message per channel, listing both.
        let scheduler = BriefingScheduler(
            schemas: data.schemas, links: NotificationLinks(baseURL: "https://shipboard.example"), pool: pool, digestHourUTC: 0,
            logger: .init(label: "test"))
        try await scheduler.collectDigests(now: Date().addingTimeInterval(86_400 * 2))
        let digests = try await pool.query(
            "SELECT channel, body_text FROM \(identifier: data.schema).deliveries WHERE recipient = \(data.requester) AND event_type = 'digest' ORDER BY channel"
        ).map { try $0.decode((String, String).self) }
        #expect(digests.map(\.0) == ["email", "in_app"])
        #expect(digests.allSatisfy { $0.1.contains("\(data.releaseKey) moved to plan") || $0.1.contains("plan") })
        let waiting = try await pool.query(
            "SELECT count(*) FROM \(identifier: data.schema).deliveries WHERE recipient = \(data.requester) AND state = 'digest'").single().decode(Int.self)
        #expect(waiting == 0)
        await data.drop(pool)
    }

    @Test("a task that becomes ready reaches its assignee: named in the event, or assigned in the work plan")
    func readyTaskReachesAssignee() async throws {
        let pool = try await NotifyTestData.pool()
        let data = NotifyTestData()
        try await data.insert(into: pool)
        try await pool.query(
            """
            INSERT INTO planning.work_plan_tasks (release_key, position, key, title, task_group, phase, owner, assignee,
                                                  estimate_minutes, kind, state)
            VALUES (\(data.releaseKey), 1, 'review', 'Review', 'review', 'review', \("person:" + data.outsider), \(data.outsider),
                    30, 'manual', 'ready')
            """)
        try await data.handle(data.envelope(
            TaskChanged(releaseKey: data.releaseKey, actor: data.coordinator, taskKey: "verification", from: .inProgress, to: .done,
                        reason: nil, nowReady: ["review", "brief"], assigned: ["brief": data.siteContact]),
            actor: data.coordinator), pool)
        let deliveries = try await data.deliveries(in: pool)
        #expect(deliveries.contains { $0.recipient == data.outsider && $0.channel == "email" && $0.type == "release.task_changed" })
        #expect(deliveries.contains { $0.recipient == data.siteContact && $0.channel == "email" })
        await data.drop(pool)
    }
}
