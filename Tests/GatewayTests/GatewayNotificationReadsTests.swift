import Foundation
import GatewayCore
import Postgres
import Testing

/// The notification reads over HTTP, from rows written into shipboard-notify's tables as the
/// service writes them: a release's delivery log (filtered, paged, exported as CSV, a webhook's
/// address shown only by its host), the caller's feed (only theirs), the communication plan,
/// site contacts, subscriptions (own and their groups'), preferences and templates.
@Suite("Gateway: notification reads", .serialized)
struct GatewayNotificationReadsTests {
    @Test("delivery log, CSV export, feed, plan, site contacts, subscriptions, preferences, templates")
    func reads() async throws {
        try await GatewayStack.with { stack in
            let key = try await GatewayImageTests.createRelease(stack)
            let pool = stack.store.pool
            let viewer = stack.name(.viewer), tester = stack.name(.tester)
            try await Self.insertDelivery(pool, key, recipient: viewer, channel: "email", address: "ops@example.com", minutesAgo: 3)
            try await Self.insertDelivery(
                pool, key, recipient: "-pat,ops", channel: "webhook", address: "https://hooks.example.net/T0/secret-token?sig=abc",
                state: "failed", lastError: "=HYPERLINK(\"http://evil\")", minutesAgo: 2)
            let feedID = try await Self.insertDelivery(
                pool, key, recipient: viewer, channel: "in_app", address: nil, subject: "Deploy, \"now\"", minutesAgo: 1)
            try await Self.insertDelivery(pool, key, recipient: tester, channel: "in_app", address: nil, minutesAgo: 0)

            // The log: every delivery, oldest first; the webhook only by host.
            let log = try await stack.call("GET", "/api/v1/releases/\(key)/notifications", as: .viewer)
            let items = log.json["items"] as? [[String: Any]] ?? []
            #expect(log.status == 200 && items.map { $0["channel"] as? String } == ["email", "webhook", "in_app", "in_app"],
                    "\(String(decoding: log.data, as: UTF8.self))")
            #expect(items[1]["address"] as? String == "hooks.example.net" && items[1]["attempts"] as? Int == 5)
            #expect(!String(decoding: log.data, as: UTF8.self).contains("secret-token"))
            let webhooks = try await stack.call("GET", "/api/v1/releases/\(key)/notifications?channel=webhook&state=failed", as: .viewer)
            #expect((webhooks.json["items"] as? [[String: Any]])?.count == 1)
            let first = try await stack.call("GET", "/api/v1/releases/\(key)/notifications?limit=3", as: .viewer)
            let cursor = try #require(first.json["nextCursor"] as? String)
            let rest = try await stack.call("GET", "/api/v1/releases/\(key)/notifications?limit=3&cursor=\(cursor)", as: .viewer)
            #expect((rest.json["items"] as? [[String: Any]])?.count == 1 && rest.json["nextCursor"] == nil)
            for query in ["recipient=a%00b", "cursor=not-a-cursor", "limit=0", "state=lost", "recipient=\(String(repeating: "r", count: 201))"] {
                let refused = try await stack.call("GET", "/api/v1/releases/\(key)/notifications?\(query)", as: .viewer)
                #expect(refused.status == 400 && refused.isProblem, "\(query): \(refused.status)")
            }

            // The export: CSV, formulas neutralised, quoted where needed, no token.
            let csv = try await stack.call("GET", "/api/v1/releases/\(key)/notifications.csv", as: .viewer)
            let text = String(decoding: csv.data, as: UTF8.self)
            #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"), "\(csv.status) \(text)")
            #expect(text.hasPrefix("id,event_type,recipient,channel,address") && text.components(separatedBy: "\r\n").count == 6)
            #expect(text.contains(",\"'-pat,ops\",webhook,hooks.example.net,") && text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "\(text)")
            #expect(!text.contains("secret-token"))
            for path in ["notifications", "notifications.csv", "notifications/plan"] {
                #expect(try await stack.call("GET", "/api/v1/releases/REL-999999997/\(path)", as: .viewer).status == 404, "\(path)")
            }

            // The feed: only the caller's in-app notifications.
            let feed = try await stack.call("GET", "/api/v1/notifications/feed", as: .viewer)
            let feedItems = feed.json["items"] as? [[String: Any]] ?? []
            #expect(feed.status == 200 && feedItems.map { $0["id"] as? String } == [feedID] && feed.json["unread"] as? Int == 1,
                    "\(String(decoding: feed.data, as: UTF8.self))")
            #expect(feedItems.first?["subject"] as? String == "Deploy, \"now\"" && feedItems.first?["read"] as? Bool == false)
            try await pool.query("UPDATE notify.deliveries SET read_at = now() WHERE id = \(UUID(uuidString: feedID)!)")
            let unread = try await stack.call("GET", "/api/v1/notifications/feed?unread=true", as: .viewer)
            #expect((unread.json["items"] as? [[String: Any]])?.isEmpty == true && unread.json["unread"] as? Int == 0)

            // The communication plan, by due time; the outcome-bound send after.
            try await Self.insertScheduledSend(pool, key, index: 1, offset: nil, outcome: "completed", subject: "Done")
            try await Self.insertScheduledSend(pool, key, index: 0, offset: -86_400, outcome: nil, subject: "Briefing")
            let plan = try await stack.call("GET", "/api/v1/releases/\(key)/notifications/plan", as: .viewer)
            let sends = plan.json["items"] as? [[String: Any]] ?? []
            #expect(plan.status == 200 && sends.map { $0["subject"] as? String } == ["Briefing", "Done"], "\(String(decoding: plan.data, as: UTF8.self))")
            #expect(sends.first?["offsetSeconds"] as? Int == -86_400 && sends.first?["audiences"] as? [String] == ["stakeholders"])

            try await Self.subscriptionsPreferencesAndSites(stack)
            try await Self.templates(stack)
        }
    }

    static func subscriptionsPreferencesAndSites(_ stack: GatewayStack) async throws {
        let pool = stack.store.pool
        let viewer = stack.name(.viewer), tester = stack.name(.tester), site = "dc-\(stack.suffix)"
        for member in ["zoe", "group:ops"] {
            try await pool.query("INSERT INTO notify.site_contacts (site, member, added_by) VALUES (\(site), \(member), 'test')")
        }
        let contacts = try await stack.call("GET", "/api/v1/sites/\(site)/contacts", as: .viewer)
        #expect((contacts.json["members"] as? [[String: Any]])?.map { $0["member"] as? String } == ["group:ops", "zoe"])
        #expect(try await stack.call("GET", "/api/v1/sites/\(site)%00/contacts", as: .viewer).status == 400)

        let group = "ntf-\(stack.suffix)"
        let joined = try await stack.call("PUT", "/api/v1/groups/\(group)/members/\(viewer)", as: .admin)
        #expect(joined.status < 300, "\(String(decoding: joined.data, as: UTF8.self))")
        try await insertSubscription(pool, kind: "person", subscriber: viewer, pattern: "rollout.*")
        try await insertSubscription(pool, kind: "group", subscriber: group, pattern: "release.phase_changed")
        try await insertSubscription(pool, kind: "person", subscriber: tester, pattern: "*")
        let own = try await stack.call("GET", "/api/v1/notifications/subscriptions", as: .viewer)
        #expect((own.json["items"] as? [[String: Any]])?.map { $0["eventPattern"] as? String } == ["rollout.*", "release.phase_changed"],
                "\(String(decoding: own.data, as: UTF8.self))")
        let others = try await stack.call("GET", "/api/v1/notifications/subscriptions?subscriber=\(tester)", as: .viewer)
        #expect(others.status == 403 && others.problemType == "urn:shipboard:problem:forbidden:notify.for_others")
        let asManager = try await stack.call("GET", "/api/v1/notifications/subscriptions?subscriber=\(tester)", as: .releaseManager)
        #expect((asManager.json["items"] as? [[String: Any]])?.map { $0["subscriber"] as? String } == [tester])
        let ofGroup = try await stack.call("GET", "/api/v1/notifications/subscriptions?subscriber=group:\(group)", as: .admin)
        #expect((ofGroup.json["items"] as? [[String: Any]])?.count == 1)

        try await pool.query("INSERT INTO notify.preferences (person, release_key, mode) VALUES (\(viewer), '', 'digest')")
        try await pool.query("INSERT INTO notify.preferences (person, release_key, mode) VALUES (\(viewer), 'REL-000001', 'mute')")
        let preferences = try await stack.call("GET", "/api/v1/notifications/preferences", as: .viewer)
        let modes = preferences.json["items"] as? [[String: Any]] ?? []
        #expect(modes.map { $0["mode"] as? String } == ["digest", "mute"] && modes.first?["releaseKey"] == nil)
        #expect((try await stack.call("GET", "/api/v1/notifications/preferences", as: .tester).json["items"] as? [Any])?.isEmpty == true)
    }

    static func templates(_ stack: GatewayStack) async throws {
        let type = "gateway_\(stack.suffix.map { $0.isNumber ? "x" : String($0) }.joined()).started"
        try await stack.store.pool.query(
            """
            INSERT INTO notify.templates (event_type, channel, subject, text_body, revision, updated_by)
            VALUES (\(type), 'chat', 'Started {{release.key}}', 'body', 3, 'rita')
            """)
        let list = try await stack.call("GET", "/api/v1/notifications/templates", as: .viewer)
        let mine = (list.json["items"] as? [[String: Any]])?.first { $0["eventType"] as? String == type }
        #expect(mine?["revision"] as? Int == 3 && mine?["updatedBy"] as? String == "rita")
        let stored = try await stack.call("GET", "/api/v1/notifications/templates/\(type)/chat", as: .viewer)
        #expect(stored.status == 200 && stored.json["builtIn"] as? Bool == false && stored.json["subject"] as? String == "Started {{release.key}}")
        let builtIn = try await stack.call("GET", "/api/v1/notifications/templates/\(type)/email", as: .viewer)
        #expect(builtIn.status == 200 && builtIn.json["builtIn"] as? Bool == true && (builtIn.json["subject"] as? String)?.isEmpty == false,
                "\(String(decoding: builtIn.data, as: UTF8.self))")
        for bad in ["Rollout.Started/email", "rollout..x/email", "rollout.started/fax"] {
            let refused = try await stack.call("GET", "/api/v1/notifications/templates/\(bad)", as: .viewer)
            #expect(refused.status == 400, "\(bad): \(refused.status)")
        }
    }

    @discardableResult
    static func insertDelivery(
        _ pool: PostgresPool, _ key: String, recipient: String, channel: String, address: String?, subject: String = "Subject",
        state: String = "sent", lastError: String? = nil, minutesAgo: Int
    ) async throws -> String {
        let id = UUID()
        let attempts = state == "failed" ? 5 : 1
        try await pool.query(
            """
            INSERT INTO notify.deliveries (id, source, release_key, event_type, recipient, channel, address, reason, subject,
                                           body_text, state, attempts, last_error, created_at)
            VALUES (\(id), \("event:\(id)"), \(key), 'rollout.started', \(recipient), \(channel), \(address), 'subscriber',
                    \(subject), 'text', \(state), \(attempts), \(lastError), now() - make_interval(mins => \(minutesAgo)::int))
            """)
        return id.uuidString.lowercased()
    }

    static func insertScheduledSend(
        _ pool: PostgresPool, _ key: String, index: Int, offset: Int?, outcome: String?, subject: String
    ) async throws {
        try await pool.query(
            """
            INSERT INTO notify.scheduled_sends (id, release_key, image_sha256, entry_index, offset_seconds, outcome, subject,
                                                audiences, due_at)
            VALUES (\(UUID()), \(key), \(String(repeating: "a", count: 64)), \(index)::int, \(offset)::int, \(outcome)::text,
                    \(subject), ARRAY['stakeholders'],
                    CASE WHEN \(offset)::int IS NULL THEN NULL ELSE now() + make_interval(secs => \(offset)::int) END)
            """)
    }

    static func insertSubscription(_ pool: PostgresPool, kind: String, subscriber: String, pattern: String) async throws {
        try await pool.query(
            """
            INSERT INTO notify.subscriptions (id, subscriber_kind, subscriber, event_pattern, channel, created_by)
            VALUES (\(UUID()), \(kind), \(subscriber), \(pattern), 'email', 'test')
            """)
    }
}
