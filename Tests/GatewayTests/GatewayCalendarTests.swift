import Foundation
import GatewayCore
import Testing

/// Freeze windows, the deployment guards and the iCalendar feed through the API, with the
/// gateway and planning as separate processes on the real servers.
@Suite("Gateway: freeze windows and the release calendar", .serialized)
struct GatewayCalendarTests {
    @Test("a blackout refuses scheduling into it (409) until a release manager gives a reason; the feed lists both; bad windows are 400s naming the field")
    func calendarThroughTheAPI() async throws {
        try await GatewayStack.with { stack in
            // Far in the future, so releases of tests running beside this one never meet it.
            let window: [String: Any] = [
                "name": "Datacentre move \(stack.suffix)", "kind": "blackout", "timeZone": "Europe/Berlin",
                "schedule": ["start": "2031-03-01T00:00", "end": "2031-03-08T00:00"],
            ]
            #expect(try await stack.call("POST", "/api/v1/freeze-windows", as: .tester, json: window).status == 403)
            let created = try await stack.call("POST", "/api/v1/freeze-windows", as: .admin, json: window)
            #expect(created.status == 201, "\(String(decoding: created.data, as: UTF8.self))")
            let id = try #require(created.json["id"] as? String)
            defer { Task { _ = try? await stack.call("DELETE", "/api/v1/freeze-windows/\(id)", as: .admin) } }

            let listed = try await stack.call("GET", "/api/v1/freeze-windows", as: .viewer)
            #expect(listed.status == 200 && String(decoding: listed.data, as: UTF8.self).contains("Datacentre move \(stack.suffix)"))

            // Hostile or malformed windows: each a 400 naming what is wrong, nothing stored.
            var hostile = window
            hostile["name"] = "evil\u{0}name"
            #expect(try await stack.call("POST", "/api/v1/freeze-windows", as: .admin, json: hostile).status == 400)
            var zone = window
            zone["timeZone"] = "Europe/Atlantis"
            let badZone = try await stack.call("POST", "/api/v1/freeze-windows", as: .admin, json: zone)
            #expect(badZone.status == 400 && String(decoding: badZone.data, as: UTF8.self).contains("timeZone"))
            var both = window
            both["schedule"] = ["start": "2031-03-01T00:00", "end": "2031-03-08T00:00", "weekdays": ["monday"]]
            #expect(try await stack.call("POST", "/api/v1/freeze-windows", as: .admin, json: both).status == 400)

            // Scheduling into the blackout: refused, then passed by a release manager's reason.
            var release: [String: Any] = ["title": "Move week \(stack.suffix)", "scheduledStart": "2031-03-03T08:00:00Z", "scheduledEnd": "2031-03-03T10:00:00Z"]
            let refused = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: release)
            #expect(refused.status == 409 && refused.problemType == "urn:shipboard:problem:conflict:freezes.blackout",
                    "\(String(decoding: refused.data, as: UTF8.self))")
            release["freezeOverrideReason"] = "the move needs this firmware first"
            let created2 = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: release)
            #expect(created2.status == 201, "\(String(decoding: created2.data, as: UTF8.self))")
            let key = try #require(created2.json["releaseKey"] as? String)
            let guards = try await stack.call("GET", "/api/v1/releases/\(key)/deployment-guards", as: .viewer)
            let freezes = guards.json["freezes"] as? [[String: Any]] ?? []
            #expect(guards.status == 200 && freezes.count == 1 && freezes.first?["overridden"] as? Bool == true,
                    "\(String(decoding: guards.data, as: UTF8.self))")
            #expect(guards.json["overrideReason"] as? String == "the move needs this firmware first")
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/deployment-guards/override", as: .approver,
                                         json: ["reason": "x"]).status == 403)
            let feed = try await stack.call("GET", "/api/v1/calendar.ics", as: .viewer)
            let text = String(decoding: feed.data, as: UTF8.self)
            #expect(feed.status == 200 && feed.contentType.hasPrefix("text/calendar"))
            #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.contains("UID:release-\(key)@shipboard\r\n"))
            #expect(text.contains("UID:freeze-\(id.lowercased())@shipboard\r\n") && text.contains("DTSTART:20310303T080000Z\r\n"))

            // Replace and delete; a second delete is a 404.
            var moved = window
            moved["schedule"] = ["start": "2031-04-01T00:00", "end": "2031-04-02T00:00"]
            let replaced = try await stack.call("PUT", "/api/v1/freeze-windows/\(id)", as: .releaseManager, json: moved)
            #expect(replaced.status == 200 && (replaced.json["schedule"] as? [String: Any])?["start"] as? String == "2031-04-01T00:00")
            let afterMove = try await stack.call("GET", "/api/v1/releases/\(key)/deployment-guards", as: .viewer)
            #expect((afterMove.json["freezes"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await stack.call("DELETE", "/api/v1/freeze-windows/\(id)", as: .admin).status == 200)
            #expect(try await stack.call("DELETE", "/api/v1/freeze-windows/\(id)", as: .admin).status == 404)
            #expect(try await stack.call("DELETE", "/api/v1/freeze-windows/not-a-uuid", as: .admin).status == 400)
        }
    }

    @Test("a calendar subscription URL serves the feed without a bearer token, is no bearer token itself, and stops when revoked")
    func subscriptionURL() async throws {
        try await GatewayStack.with { stack in
            let issued = try await stack.call("POST", "/api/v1/calendar/feed-tokens", as: .viewer)
            let path = try #require(issued.json["path"] as? String, "\(String(decoding: issued.data, as: UTF8.self))")
            let id = try #require(issued.json["id"] as? String)
            #expect(issued.status == 201 && path.hasPrefix("/api/v1/calendar/feeds/sbt_"))
            // A calendar client sends no credential at all.
            let feed = try await stack.call("GET", path)
            #expect(feed.status == 200 && feed.contentType.hasPrefix("text/calendar")
                && String(decoding: feed.data, as: UTF8.self).hasPrefix("BEGIN:VCALENDAR\r\n"))
            // The feed's token opens nothing else.
            let secret = String(path.dropFirst("/api/v1/calendar/feeds/".count))
            #expect(try await stack.call("GET", "/api/v1/releases", token: secret).status == 401)
            // An API token is not a feed token either; malformed and unknown ones are a plain 404.
            #expect(try await stack.call("GET", "/api/v1/calendar/feeds/\(stack.tokens[.viewer]!)").status == 404)
            #expect(try await stack.call("GET", "/api/v1/calendar/feeds/%00%0A").status == 404)
            #expect(try await stack.call("GET", "/api/v1/calendar/feeds/sbt_\(String(repeating: "A", count: 43))").status == 404)
            #expect(try await stack.call("DELETE", "/api/v1/tokens/\(id)", as: .admin).status == 204)
            #expect(try await stack.call("GET", path).status == 404)
        }
    }
}
