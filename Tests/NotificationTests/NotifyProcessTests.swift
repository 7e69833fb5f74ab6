import AMQP
import Contracts
import Foundation
import NotificationCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-notify as a separate process over the real broker and database, mailing a real
/// SMTP server (aiosmtpd) and posting to a webhook receiver that checks signatures.
@Suite(.serialized)
struct NotifyProcessTests {
    @Test func oneMailPerRecipientWithTheRenderedMessageAndInAppRows() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)", coordinator = "coord-\(h.tag)", actor = "pat-\(h.tag)"
            try await h.addUser(requester, email: true, webhook: false)
            try await h.addUser(coordinator, email: true, webhook: false)
            let key = try await h.insertRelease(title: "Payroll \(h.tag) upgrade", requester: requester, coordinator: coordinator)
            try h.launch("a")
            // The Subscribe command answers once the replica consumes (its event queue exists).
            let saved = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: requester, eventPattern: "rollout.*", channel: .inApp, releaseKey: key),
                actor: requester)
            #expect(!saved.existing)
            try await h.publish(h.phaseChanged(key, actor: actor))
            let both = try await h.eventually {
                try !h.mails(to: NotifyProcessHarness.email(requester)).isEmpty && !h.mails(to: NotifyProcessHarness.email(coordinator)).isEmpty
            }
            #expect(both, "\(h.log("a"))")
            try await Task.sleep(for: .seconds(1))
            for person in [requester, coordinator] {
                let mails = try h.mails(to: NotifyProcessHarness.email(person))
                #expect(mails.count == 1, "\(person) got \(mails.count) mails")
                guard let mail = mails.first else { continue }
                #expect(mail.rcptTos == [NotifyProcessHarness.email(person)])
                #expect(mail.header("Subject")?.contains(key) == true, "subject \(mail.header("Subject") ?? "none")")
                #expect(mail.header("Subject")?.contains("plan") == true)
                #expect(mail.text?.contains("Payroll \(h.tag) upgrade") == true, "text \(mail.text ?? "none")")
                #expect(mail.text?.contains(key) == true)
                #expect(mail.header("Message-ID")?.hasSuffix("@shipboard>") == true)
            }
            #expect(try h.sink.messages().filter { $0.rcptTos.contains(NotifyProcessHarness.email(actor)) }.isEmpty)
            let deliveries = try await h.deliveries(releaseKey: key)
            #expect(Set(deliveries.filter { $0.channel == "in_app" }.map(\.recipient)) == [requester, coordinator])
            #expect(deliveries.filter { $0.channel == "email" }.allSatisfy { $0.state == "sent" && $0.attempts == 1 })
            #expect(!deliveries.contains { $0.recipient == actor })
            #expect(deliveries.count == 4)
        }
    }

    @Test func webhookRetriesAfter500WithTheSameIdempotencyKeyAndSignedRequests() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)", actor = "pat-\(h.tag)"
            try await h.addUser(requester, email: false, webhook: true)
            let key = try await h.insertRelease(title: "Webhook \(h.tag)", requester: requester, coordinator: "coord-\(h.tag)")
            try h.launch("b")
            let saved = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: requester, eventPattern: "release.*", channel: .webhook, releaseKey: key),
                actor: requester)
            #expect(!saved.existing)
            await h.receiver.failFirst(2)
            try await h.publish(h.phaseChanged(key, actor: actor))
            let sent = try await h.eventually {
                try await h.deliveries(releaseKey: key).contains { $0.channel == "webhook" && $0.state == "sent" }
            }
            #expect(sent, "\(h.log("b"))")
            try await Task.sleep(for: .milliseconds(500))
            let requests = await h.receiver.requests.filter { $0.path == "/hook/\(requester)" }
            #expect(requests.map(\.status) == [500, 500, 200])
            #expect(requests.allSatisfy { $0.signatureValid })
            let webhooks = try await h.deliveries(releaseKey: key).filter { $0.channel == "webhook" }
            let delivery = try #require(webhooks.first)
            #expect(delivery.attempts == 3)
            #expect(delivery.state == "sent")
            let id = delivery.id.uuidString.lowercased()
            #expect(requests.allSatisfy { $0.idempotencyKey == id })
            #expect(requests.allSatisfy { $0.payload?.id == id && $0.payload?.releaseKey == key })
            #expect(requests.last?.payload?.subject.contains(key) == true)
        }
    }

    @Test func theSameEventTwiceGivesOneDeliveryPerRecipientAndChannel() async throws {
        try await NotifyProcessHarness.run { h in
            let requester = "req-\(h.tag)", coordinator = "coord-\(h.tag)", actor = "pat-\(h.tag)"
            try await h.addUser(requester, email: true, webhook: true)
            try await h.addUser(coordinator, email: true, webhook: false)
            let key = try await h.insertRelease(title: "Twice \(h.tag)", requester: requester, coordinator: coordinator)
            try await h.subscribe(requester, pattern: "release.phase_changed", channel: "webhook", releaseKey: key)
            try h.launch("c")
            _ = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: coordinator, eventPattern: "rollout.*", channel: .inApp, releaseKey: key),
                actor: coordinator)
            let message = try h.message(h.phaseChanged(key, actor: actor))
            try await h.publish([message])
            try await h.publish([message])
            let done = try await h.eventually {
                let deliveries = try await h.deliveries(releaseKey: key)
                return deliveries.count == 5 && deliveries.allSatisfy { $0.state == "sent" }
            }
            #expect(done, "\(h.log("c"))")
            try await Task.sleep(for: .seconds(2))
            let deliveries = try await h.deliveries(releaseKey: key)
            let pairs = deliveries.map { "\($0.recipient)/\($0.channel)" }
            #expect(pairs.count == Set(pairs).count)
            #expect(Set(pairs) == ["\(requester)/email", "\(requester)/in_app", "\(requester)/webhook", "\(coordinator)/email", "\(coordinator)/in_app"])
            #expect(try h.mails(to: NotifyProcessHarness.email(requester)).count == 1)
            #expect(try h.mails(to: NotifyProcessHarness.email(coordinator)).count == 1)
            #expect(await h.receiver.requests.filter { $0.path == "/hook/\(requester)" }.count == 1)
            let events = try await h.owner.query("SELECT count(*) FROM notify.events WHERE release_key = \(key)").single().decode(Int.self)
            #expect(events == 1)
        }
    }
}
