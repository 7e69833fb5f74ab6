import AMQP
import Contracts
import Foundation
import NotificationCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-notify killed, restarted and doubled: nothing lost, nothing sent twice beyond
/// what the idempotency key lets a receiver drop, briefings sent once and after restarts.
@Suite(.serialized)
struct NotifyProcessRecoveryTests {
    @Test func killedMidBurstLosesNothingAndRepeatsOnlyUnderTheSameKey() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)", coordinator = "coord-\(h.tag)", actor = "pat-\(h.tag)"
            try await h.addUser(requester, email: true, webhook: true)
            try await h.addUser(coordinator, email: true, webhook: true)
            let key = try await h.insertRelease(title: "Burst \(h.tag)", requester: requester, coordinator: coordinator)
            for person in [requester, coordinator] {
                try await h.subscribe(person, pattern: "release.phase_changed", channel: "webhook", releaseKey: key)
            }
            // A short send timeout: the killed replica's leases (3 × timeout + 5 s) expire in 8 s.
            let settings = ["SHIPBOARD_NOTIFY_SEND_TIMEOUT_SECONDS": "1"]
            try h.launch("d1", settings: settings)
            _ = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: requester, eventPattern: "rollout.*", channel: .inApp, releaseKey: key),
                actor: requester)
            let events = 200
            let messages = try (0..<events).map { _ in try h.message(h.phaseChanged(key, actor: actor)) }
            try await h.publish(messages)
            // Kill it mid-burst: some sends done, most not.
            let midway = try await h.eventually(.seconds(20)) { try h.sink.messages().count >= 60 }
            #expect(midway, "\(h.log("d1"))")
            h.kill9("d1")
            let sentAtKill = try h.sink.messages().count
            try h.launch("d2", settings: settings)
            let expected = events * 6
            let done = try await h.eventually(.seconds(60)) {
                let rows = try await h.owner.query(
                    "SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FROM notify.deliveries WHERE release_key = \(key)"
                ).single().decode((Int, Int).self)
                return rows == (expected, expected)
            }
            let deliveries = try await h.deliveries(releaseKey: key)
            #expect(done, "\(deliveries.filter { $0.state != "sent" }.count) of \(deliveries.count) not sent; \(h.log("d2"))")
            try await Task.sleep(for: .seconds(1))
            #expect(Set(deliveries.map(\.source)).count == events)
            #expect(Set(deliveries.map { "\($0.source)/\($0.recipient)/\($0.channel)" }).count == expected)
            var mailsByDelivery: [String: Int] = [:]
            // This test's people only: the `notify` schema is shared, and a restarted replica also
            // sends what earlier tests left due (a digest was seen) to this test's sink.
            for mail in try h.sink.messages() where (mail.header("To") ?? "").contains(h.tag) {
                let id = (mail.header("Message-ID") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "<>")).replacingOccurrences(
                    of: "@shipboard", with: "")
                mailsByDelivery[id, default: 0] += 1
            }
            var hooksByDelivery: [String: Int] = [:]
            let requests = await h.receiver.requests
            #expect(requests.allSatisfy { $0.signatureValid })
            for request in requests where request.status == 200 {
                hooksByDelivery[request.idempotencyKey ?? "", default: 0] += 1
                #expect(request.payload?.id == request.idempotencyKey)
            }
            let emails = deliveries.filter { $0.channel == "email" }.map { $0.id.uuidString.lowercased() }
            let hooks = deliveries.filter { $0.channel == "webhook" }.map { $0.id.uuidString.lowercased() }
            #expect(emails.count == events * 2 && hooks.count == events * 2)
            let lostMails = emails.filter { (mailsByDelivery[$0] ?? 0) == 0 }
            let lostHooks = hooks.filter { (hooksByDelivery[$0] ?? 0) == 0 }
            #expect(lostMails.isEmpty, "\(lostMails.count) mails lost")
            #expect(lostHooks.isEmpty, "\(lostHooks.count) webhooks lost")
            // Nothing arrived that is not one of the deliveries (every repeat carries a known key).
            #expect(Set(mailsByDelivery.keys).subtracting(emails).isEmpty)
            #expect(Set(hooksByDelivery.keys).subtracting(hooks).isEmpty)
            let repeatedMails = mailsByDelivery.values.reduce(0) { $0 + max(0, $1 - 1) }
            let repeatedHooks = hooksByDelivery.values.reduce(0) { $0 + max(0, $1 - 1) }
            print("notify kill -9 mid-burst: \(events) events, \(emails.count) mails + \(hooks.count) webhooks; \(sentAtKill) mails before the kill; repeats after restart: \(repeatedMails) mails, \(repeatedHooks) webhooks (same Message-ID / Idempotency-Key)")
            // A repeat is only a send the one kill interrupted before its outcome was recorded: twice at most.
            #expect(mailsByDelivery.values.allSatisfy { $0 <= 2 } && hooksByDelivery.values.allSatisfy { $0 <= 2 })
            #expect(repeatedMails + repeatedHooks < emails.count / 4)
        }
    }

    /// A communication plan's send due `in` seconds for `audiences` of `releaseKey` (what the
    /// planner writes from the image's plan); returns its id.
    static func scheduleBriefing(_ h: NotifyProcessHarness, releaseKey: String, subject: String, audiences: [String], in seconds: Int)
        async throws -> UUID
    {
        let sha = String(repeating: "ab", count: 32)
        _ = try await h.owner.query(
            """
            INSERT INTO notify.communication_plans (release_key, image_sha256, plan_text)
            VALUES (\(releaseKey), \(sha), \("- at: -1h\n  audiences: [requester]\n  subject: \(subject)\n"))
            """)
        let id = UUID()
        _ = try await h.owner.query(
            """
            INSERT INTO notify.scheduled_sends (id, release_key, image_sha256, entry_index, offset_seconds, subject, audiences, due_at)
            VALUES (\(id), \(releaseKey), \(sha), 0, -3600, \(subject), \(bind: PostgresArrayBind.texts(audiences)),
                    now() + make_interval(secs => \(seconds)))
            """)
        return id
    }

    @Test func aBriefingDueWhileTheServiceIsDownIsSentOnceAfterItRestarts() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)"
            try await h.addUser(requester, email: true, webhook: false)
            let key = try await h.insertRelease(title: "Briefed \(h.tag)", requester: requester, coordinator: "coord-\(h.tag)")
            try h.launch("e1")
            _ = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: requester, eventPattern: "rollout.*", channel: .inApp, releaseKey: key),
                actor: requester)
            let subject = "Briefing \(h.tag): cut-over tonight"
            let id = try await Self.scheduleBriefing(h, releaseKey: key, subject: subject, audiences: ["requester"], in: 3)
            h.terminate("e1")
            try await Task.sleep(for: .seconds(4))
            let address = NotifyProcessHarness.email(requester)
            #expect(try h.mails(to: address).isEmpty)
            try h.launch("e2")
            let arrived = try await h.eventually(.seconds(20)) { try !h.mails(to: address).isEmpty }
            #expect(arrived, "\(h.log("e2"))")
            try await Task.sleep(for: .seconds(2))
            let mails = try h.mails(to: address)
            #expect(mails.count == 1)
            #expect(mails.first?.header("Subject")?.contains("Briefing \(h.tag)") == true, "\(mails.first?.header("Subject") ?? "none")")
            let state = try await h.owner.query("SELECT state FROM notify.scheduled_sends WHERE id = \(id)").single().decode(String.self)
            #expect(state == "sent")
        }
    }

    @Test func twoReplicasSendADueBriefingOnce() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)", coordinator = "coord-\(h.tag)"
            try await h.addUser(requester, email: true, webhook: false)
            try await h.addUser(coordinator, email: true, webhook: false)
            let key = try await h.insertRelease(title: "Twice briefed \(h.tag)", requester: requester, coordinator: coordinator)
            try h.launch("f1")
            try h.launch("f2")
            _ = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: requester, eventPattern: "rollout.*", channel: .inApp, releaseKey: key),
                actor: requester)
            try await Task.sleep(for: .seconds(2))  // both replicas up and polling
            let subject = "Briefing \(h.tag): both replicas"
            let ids = [
                try await Self.scheduleBriefing(h, releaseKey: key, subject: subject, audiences: ["stakeholders"], in: 2)
            ]
            let addresses = [requester, coordinator].map(NotifyProcessHarness.email)
            let arrived = try await h.eventually(.seconds(20)) { try addresses.allSatisfy { try !h.mails(to: $0).isEmpty } }
            #expect(arrived, "\(h.log("f1"))\n\(h.log("f2"))")
            try await Task.sleep(for: .seconds(3))
            for address in addresses {
                #expect(try h.mails(to: address).count == 1, "\(address)")
            }
            let rows = try await h.owner.query(
                "SELECT count(*) FROM notify.deliveries WHERE source = \("schedule:" + ids[0].uuidString.lowercased())"
            ).single().decode(Int.self)
            #expect(rows == 4)  // two people, email and in-app each
        }
    }
}
