import Foundation
import GatewayCore
import Testing

/// The gateway and the CLI in front of the real shipboard-notify (a separate process on the
/// test database and broker): what `shipboard notify …` changes is stored by the service and
/// read back through the gateway; refusals keep their exit statuses.
@Suite("Gateway: notifications with the real shipboard-notify", .serialized)
struct GatewayNotifyProcessTests {
    @Test("prefer, subscribe, list, unsubscribe, site contacts, templates (a broken one refused with its line), preview, log, feed, plan")
    func notifyByCommandLine() async throws {
        try await GatewayStack.with { stack in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-notify-\(stack.suffix)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            // No mail is sent here: an SMTP port nothing listens on is enough to start.
            try stack.startService("shipboard-notify", extra: [
                "SHIPBOARD_NOTIFY_SMTP_URL": "smtp://127.0.0.1:9", "SHIPBOARD_NOTIFY_SMTP_STARTTLS": "off",
                "SHIPBOARD_NOTIFY_WEBHOOK_SECRET": "gateway-test-\(stack.suffix)", "SHIPBOARD_HTTP_PORT": "0",
            ], log: folder + "/notify.log")
            func shipboard(_ arguments: [String], as role: Role) throws -> CLIEndToEndTests.Run {
                try CLIEndToEndTests.shipboard(arguments, environment: [
                    "SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[role]!, "HOME": folder,
                ])
            }
            // notify answers once it has migrated and consumes its queue.
            var prefer = try shipboard(["notify", "prefer", "digest"], as: .viewer)
            let deadline = Date().addingTimeInterval(60)
            while prefer.status != 0, Date() < deadline {
                try await Task.sleep(for: .milliseconds(500))
                prefer = try shipboard(["notify", "prefer", "digest"], as: .viewer)
            }
            #expect(prefer.status == 0 && prefer.out == "digest for every release\n", "\(prefer.err)")
            let stored = try await stack.call("GET", "/api/v1/notifications/preferences", as: .viewer)
            #expect((stored.json["items"] as? [[String: Any]])?.map { $0["mode"] as? String } == ["digest"])

            let subscribed = try shipboard(["notify", "subscribe", "rollout.*", "--channel", "in_app"], as: .viewer)
            #expect(subscribed.status == 0 && subscribed.out.hasPrefix("subscribed: "), "\(subscribed.out)\(subscribed.err)")
            let id = String(subscribed.out.dropFirst("subscribed: ".count).dropLast())
            let again = try shipboard(["notify", "subscribe", "rollout.*", "--channel", "in_app"], as: .viewer)
            #expect(again.out == "already subscribed: \(id)\n", "\(again.out)\(again.err)")
            let listed = try shipboard(["notify", "subscriptions"], as: .viewer)
            #expect(listed.status == 0 && listed.out.contains(id) && listed.out.contains("rollout.*"), "\(listed.out)")
            let forGroup = try shipboard(["notify", "subscribe", "*", "--group", "ops"], as: .viewer)
            #expect(forGroup.status == 3, "\(forGroup.err)")
            let unsubscribed = try shipboard(["notify", "unsubscribe", id], as: .viewer)
            #expect(unsubscribed.status == 0, "\(unsubscribed.err)")
            #expect(try shipboard(["notify", "subscriptions"], as: .viewer).out.contains(id) == false)

            let site = "dc-\(stack.suffix)"
            let setSite = try shipboard(["notify", "site-contacts", site, "--set", "Alice, group:ops"], as: .releaseManager)
            #expect(setSite.status == 0 && setSite.out.contains("alice") && setSite.out.contains("group:ops"), "\(setSite.out)\(setSite.err)")
            #expect(try shipboard(["notify", "site-contacts", site], as: .viewer).out.contains("alice"))
            #expect(try shipboard(["notify", "site-contacts", site, "--set", "x"], as: .viewer).status == 3)

            try await Self.templatesAndLog(stack, folder: folder, shipboard)
        }
    }

    static func templatesAndLog(
        _ stack: GatewayStack, folder: String, _ shipboard: ([String], Role) throws -> CLIEndToEndTests.Run
    ) async throws {
        let broken = folder + "/broken.mustache", good = folder + "/good.mustache"
        try "Release {{release.key}}\n{{#release}}\nnever closed\n".write(toFile: broken, atomically: true, encoding: .utf8)
        try "Release {{release.key}} was created.\n".write(toFile: good, atomically: true, encoding: .utf8)
        let refused = try shipboard(["notify", "template", "set", "release.created", "email", "--subject", "New", "--text-file", broken], .admin)
        #expect(refused.status == 1 && refused.err.contains("line"), "\(refused.err)")
        let saved = try shipboard(
            ["notify", "template", "set", "release.created", "email", "--subject", "New {{release.key}}", "--text-file", good], .admin)
        #expect(saved.status == 0 && saved.out.contains("revision"), "\(saved.out)\(saved.err)")
        let shown = try shipboard(["notify", "template", "show", "release.created", "email"], .viewer)
        #expect(shown.out.contains("subject: New {{release.key}}") && !shown.out.contains("built-in"), "\(shown.out)")
        let builtIn = try shipboard(["notify", "template", "show", "rollout.halted", "chat"], .viewer)
        #expect(builtIn.status == 0 && builtIn.out.contains("built-in"), "\(builtIn.out)\(builtIn.err)")

        // A release makes a stored release.created event, which the preview renders.
        let key = try await GatewayImageTests.createRelease(stack)
        var preview = try shipboard(["notify", "template", "preview", "release.created", "email"], .releaseManager)
        let deadline = Date().addingTimeInterval(30)
        while !preview.out.contains(key), Date() < deadline {
            try await Task.sleep(for: .milliseconds(300))
            preview = try shipboard(["notify", "template", "preview", "release.created", "email"], .releaseManager)
        }
        #expect(preview.status == 0 && preview.out.contains("subject: New \(key)") && preview.out.contains("Release \(key) was created."),
                "\(preview.out)\(preview.err)")

        let log = try shipboard(["notify", "log", key], .viewer)
        #expect(log.status == 0 && log.out.hasPrefix("CREATED"), "\(log.out)\(log.err)")
        let csv = try shipboard(["notify", "log", key, "--csv"], .viewer)
        #expect(csv.status == 0 && csv.out.hasPrefix("id,event_type,recipient"), "\(csv.out)\(csv.err)")
        let plan = try shipboard(["notify", "plan", key], .viewer)
        #expect(plan.status == 0 && plan.out == "no scheduled communication for \(key)\n", "\(plan.out)\(plan.err)")
        let feed = try shipboard(["notify", "feed", "--read-all"], .viewer)
        #expect(feed.status == 0 && feed.out.hasPrefix("marked "), "\(feed.out)\(feed.err)")
        #expect(try shipboard(["notify", "feed", "--unread"], .viewer).out.hasPrefix("0 unread"))
        #expect(try shipboard(["notify", "log", "REL-999999997"], .viewer).status == 4)
    }
}
