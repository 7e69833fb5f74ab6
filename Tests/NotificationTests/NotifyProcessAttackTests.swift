import Contracts
import Foundation
import NotificationCore
import Postgres
import ShipboardTestSupport
import Testing

/// shipboard-notify's commands as someone who has not read the code uses them, against the
/// real process: another person named in a field, the same request twice or resent after a
/// timeout, 300 characters or a NUL. Each ends in a clear answer and no lost or doubled effect.
@Suite(.serialized)
struct NotifyProcessAttackTests {
    @Test func hostileAndRepeatedCommandsEndInAClearAnswerAndOneEffect() async throws {
        try await NotifyProcessHarness.run { h in
            let viewer = "vic-\(h.tag)", other = "olga-\(h.tag)", actor = "pat-\(h.tag)"
            try await h.addUser(viewer, email: true, webhook: false)
            try await h.addUser(other, email: true, webhook: false)
            let key = try await h.insertRelease(title: "Attack \(h.tag)", requester: other, coordinator: "coord-\(h.tag)")
            try h.launch("x")

            // Naming someone else: a viewer may not subscribe, or unsubscribe, another person.
            let forOther = Subscribe(subscriberKind: .person, subscriber: other, eventPattern: "rollout.*", channel: .email)
            let refused = await Self.refusal(h, forOther, actor: viewer)
            #expect(refused?.kind == .forbidden)
            #expect(refused?.message.contains("release manager") == true)
            let own = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: other, eventPattern: "release.*", channel: .inApp, releaseKey: key),
                actor: other)
            #expect(await Self.refusal(h, Unsubscribe(id: own.id), actor: viewer)?.kind == .forbidden)

            // Clicking twice: the same subscription again is the existing one; resending the very
            // same request (same envelope id, after a timeout) gets the same answer, once applied.
            let again = try await h.send(
                Subscribe(subscriberKind: .person, subscriber: other, eventPattern: "release.*", channel: .inApp, releaseKey: key),
                actor: other)
            #expect(again == SubscriptionSaved(id: own.id, existing: true))
            let envelope = Envelope(
                Subscribe(subscriberKind: .person, subscriber: viewer, eventPattern: "dml.*", channel: .email), correlationId: "attack",
                actor: viewer)
            let first = try await h.requests.send(envelope, timeout: .seconds(10))
            let resent = try await h.requests.send(envelope, timeout: .seconds(10))
            #expect(first == resent)
            #expect(!first.existing)
            let rows = try await h.owner.query(
                "SELECT count(*) FROM notify.subscriptions WHERE subscriber = \(viewer) AND event_pattern = 'dml.*'"
            ).single().decode(Int.self)
            #expect(rows == 1)

            // 300 characters, a NUL, an unknown channel: refused with the field named, nothing stored.
            let hostile: [Subscribe] = [
                Subscribe(subscriberKind: .person, subscriber: viewer, eventPattern: String(repeating: "a", count: 300), channel: .email),
                Subscribe(subscriberKind: .person, subscriber: viewer + "\u{0}", eventPattern: "rollout.*", channel: .email),
                Subscribe(subscriberKind: .person, subscriber: viewer, eventPattern: "rollout.*", channel: .unknown("pager")),
                Subscribe(subscriberKind: .person, subscriber: viewer, eventPattern: "rollout.*", channel: .email, site: String(repeating: "s", count: 300)),
            ]
            for command in hostile {
                let refusal = await Self.refusal(h, command, actor: viewer)
                #expect(refusal?.kind == .validation, "\(String(describing: refusal))")
                #expect(refusal?.message.isEmpty == false)
            }
            let stored = try await h.owner.query("SELECT count(*) FROM notify.subscriptions WHERE subscriber LIKE \(viewer + "%")")
                .single().decode(Int.self)
            #expect(stored == 1)

            // Marking someone else's in-app notification read marks nothing.
            try await h.publish(h.phaseChanged(key, actor: actor))
            let delivered = try await h.eventually {
                try await h.deliveries(releaseKey: key).contains { $0.recipient == other && $0.channel == "in_app" }
            }
            #expect(delivered)
            let theirs = try await h.deliveries(releaseKey: key).filter { $0.recipient == other && $0.channel == "in_app" }
            let marked = try await h.send(MarkNotificationsRead(ids: theirs.map { $0.id.uuidString.lowercased() }), actor: viewer)
            #expect(marked.marked == 0)
            let mine = try await h.send(MarkNotificationsRead(ids: theirs.map { $0.id.uuidString.lowercased() }), actor: other)
            #expect(mine.marked == theirs.count)
            let twice = try await h.send(MarkNotificationsRead(ids: theirs.map { $0.id.uuidString.lowercased() }), actor: other)
            #expect(twice.marked == 0)
        }
    }

    /// The typed refusal `command` gets, or nil when it was accepted (or failed otherwise).
    static func refusal<Command: CommandContract>(_ h: NotifyProcessHarness, _ command: Command, actor: String) async -> CommandError? {
        do {
            _ = try await h.send(command, actor: actor)
            return nil
        } catch {
            return error as? CommandError
        }
    }
}
