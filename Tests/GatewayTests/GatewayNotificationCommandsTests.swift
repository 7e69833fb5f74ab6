import AMQP
import Foundation
import GatewayCore
import Messaging
import Postgres
import Testing

/// The notification commands over HTTP: each is checked in the gateway (roles for acting for
/// someone else, the notify field rules, a template that does not compile) before it is sent;
/// what passes goes to `notify.commands` by request/reply as the signed-in user and is
/// answered by a stand-in for shipboard-notify (``NotifyStandIn``), which records it.
@Suite("Gateway: notification commands", .serialized)
struct GatewayNotificationCommandsTests {
    @Test("subscribe, unsubscribe, prefer, site contacts, templates, preview, mark read: checked first, then sent as the user")
    func commands() async throws {
        try await GatewayStack.with { stack in
            let broker = AMQPClient(
                configuration: try AMQPConfiguration(url: stack.environment["SHIPBOARD_AMQP_URL"]!), topology: MessagingTopology.shipboard)
            let run = Task { await broker.run() }
            defer { run.cancel() }
            let standIn = NotifyStandIn(broker: broker, actors: Set([Role.viewer, .releaseManager, .admin].map(stack.name)))
            let answering = Task { try await standIn.run() }
            defer { answering.cancel() }
            let viewer = stack.name(.viewer)

            let mine = try await stack.call("POST", "/api/v1/notifications/subscriptions", as: .viewer,
                                            json: ["eventPattern": "rollout.*", "channel": "email"])
            #expect(mine.status == 201 && mine.json["id"] as? String == NotifyStandIn.standInID, "\(String(decoding: mine.data, as: UTF8.self))")
            let sent = try #require(standIn.commands.last)
            #expect(sent.type == "notify.subscribe" && sent.actor == viewer)
            #expect(sent.payload["subscriber"] as? String == viewer && sent.payload["subscriberKind"] as? String == "person")

            let forGroup = ["eventPattern": "release.*", "channel": "chat", "subscriberKind": "group", "subscriber": "ops"]
            let refused = try await stack.call("POST", "/api/v1/notifications/subscriptions", as: .viewer, json: forGroup)
            #expect(refused.status == 403 && refused.problemType == "urn:shipboard:problem:forbidden:notify.for_others")
            let forOther = try await stack.call("POST", "/api/v1/notifications/subscriptions", as: .viewer,
                                                json: ["eventPattern": "*", "channel": "email", "subscriber": "someone-else"])
            #expect(forOther.status == 403)
            let byManager = try await stack.call("POST", "/api/v1/notifications/subscriptions", as: .releaseManager, json: forGroup)
            #expect(byManager.status == 201 && standIn.commands.last?.payload["subscriberKind"] as? String == "group")
            let before = standIn.commands.count
            for bad in [["eventPattern": "rollout.*x", "channel": "email"], ["eventPattern": "*", "channel": "email", "site": "dc\u{0}"],
                        ["eventPattern": "*", "channel": "email", "releaseKey": "REL-1"]] {
                let response = try await stack.call("POST", "/api/v1/notifications/subscriptions", as: .viewer, json: bad)
                #expect(response.status == 400 && response.isProblem, "\(bad): \(String(decoding: response.data, as: UTF8.self))")
            }
            #expect(standIn.commands.count == before, "a refused subscription is never sent")

            let own = UUID(), theirs = UUID()
            for (id, who) in [(own, viewer), (theirs, stack.name(.tester))] {
                try await stack.store.pool.query(
                    """
                    INSERT INTO notify.subscriptions (id, subscriber_kind, subscriber, event_pattern, channel, created_by)
                    VALUES (\(id), 'person', \(who), \("rollout.\(stack.suffix.filter(\.isLetter))"), 'email', 'test')
                    """)
            }
            #expect(try await stack.call("DELETE", "/api/v1/notifications/subscriptions/\(theirs)", as: .viewer).status == 403)
            #expect(try await stack.call("DELETE", "/api/v1/notifications/subscriptions/\(UUID())", as: .viewer).status == 404)
            #expect(try await stack.call("DELETE", "/api/v1/notifications/subscriptions/not-an-id", as: .viewer).status == 400)
            #expect(try await stack.call("DELETE", "/api/v1/notifications/subscriptions/\(own)", as: .viewer).status == 204)
            #expect(standIn.commands.last?.type == "notify.unsubscribe"
                    && standIn.commands.last?.payload["id"] as? String == own.uuidString.lowercased())

            let prefer = try await stack.call("PUT", "/api/v1/notifications/preferences", as: .viewer, json: ["mode": "digest"])
            #expect(prefer.status == 200 && standIn.commands.last?.type == "notify.set_preference"
                    && standIn.commands.last?.payload["mode"] as? String == "digest", "\(String(decoding: prefer.data, as: UTF8.self))")
            let unknownRelease = try await stack.call(
                "PUT", "/api/v1/notifications/preferences", as: .viewer, json: ["mode": "mute", "releaseKey": "REL-999999997"])
            #expect(unknownRelease.status == 404)

            let site = "dc-\(stack.suffix)"
            let contacts = try await stack.call("PUT", "/api/v1/sites/\(site)/contacts", as: .releaseManager, json: ["members": [" Alice ", "group:ops"]])
            #expect(contacts.status == 200 && contacts.json["site"] as? String == site, "\(String(decoding: contacts.data, as: UTF8.self))")
            #expect(standIn.commands.last?.payload["members"] as? [String] == ["alice", "group:ops"], "normalised before sending")
            let hostileMember = try await stack.call("PUT", "/api/v1/sites/\(site)/contacts", as: .releaseManager, json: ["members": ["a\u{0}b"]])
            #expect(hostileMember.status == 400)

            try await Self.templatesAndFeed(stack, standIn)
        }
    }

    static func templatesAndFeed(_ stack: GatewayStack, _ standIn: NotifyStandIn) async throws {
        let saved = try await stack.call(
            "PUT", "/api/v1/notifications/templates/rollout.started/email", as: .releaseManager,
            json: ["subject": "Rollout of {{release.key}}", "text": "Started.\n", "html": "<p>Started</p>"])
        #expect(saved.status == 200 && saved.json["revision"] as? Int == 7, "\(String(decoding: saved.data, as: UTF8.self))")
        #expect(standIn.commands.last?.type == "notify.save_template" && standIn.commands.last?.actor == stack.name(.releaseManager))
        let count = standIn.commands.count
        let broken = try await stack.call(
            "PUT", "/api/v1/notifications/templates/rollout.started/email", as: .releaseManager,
            json: ["subject": "Rollout", "text": "line one\n{{#release}}\nnever closed\n"])
        let detail = broken.json["detail"] as? String ?? ""
        #expect(broken.status == 400 && broken.problemType == "urn:shipboard:problem:validation:notify.template", "\(detail)")
        #expect(detail.contains("text") && detail.contains("line"), "names the part and the line: \(detail)")
        #expect(standIn.commands.count == count, "a template that does not compile is never sent")

        let preview = try await stack.call(
            "POST", "/api/v1/notifications/templates/rollout.started/chat/preview", as: .admin,
            json: ["template": ["subject": "S {{release.key}}", "text": "T"]])
        #expect(preview.status == 200 && preview.json["subject"] as? String == "Preview of rollout.started")
        #expect(standIn.commands.last?.type == "notify.preview_template")

        let ids = [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()]
        let marked = try await stack.call("POST", "/api/v1/notifications/feed/read", as: .viewer, json: ["ids": ids])
        #expect(marked.status == 200 && marked.json["marked"] as? Int == 2 && standIn.commands.last?.actor == stack.name(.viewer))
        let badIDs = try await stack.call("POST", "/api/v1/notifications/feed/read", as: .viewer, json: ["ids": ["x"]])
        #expect(badIDs.status == 400)
        let all = try await stack.call("POST", "/api/v1/notifications/feed/read", as: .viewer, json: ["all": true])
        #expect(all.status == 200 && standIn.commands.last?.payload["all"] as? Bool == true)
    }
}
