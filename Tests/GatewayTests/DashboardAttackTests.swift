import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// The dashboard attacked as a user and an operator would: fields naming someone or
/// something else, a decision resent after a timeout, oversized and NUL input, and the
/// database down. Each ends in a clear page, with no lost or doubled effect.
@Suite("Dashboard: forged fields, resends, hostile input, database outage", .serialized)
struct DashboardAttackTests {
    /// The release's approvals and their actors, from the API.
    static func approvals(_ stack: GatewayStack, _ key: String) async throws -> [String] {
        let release = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
        return (release.json["approvals"] as? [[String: Any]] ?? []).compactMap { $0["actor"] as? String }
    }

    /// A submitted release (waiting at its first gate) and its version.
    static func submitted(_ stack: GatewayStack, _ title: String) async throws -> (key: String, version: Int) {
        let key = try await DashboardTests.release(stack, title: title)
        // Resent with its idempotency key while the answer is "try again" (503/504, a loaded
        // machine); anything else is the answer, shown in full when it is not 200.
        let idempotencyKey = UUID().uuidString
        var submit = try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager, headers: ["Idempotency-Key": idempotencyKey])
        for _ in 0..<3 where [503, 504].contains(submit.status) {
            try await Task.sleep(for: .seconds(2))
            submit = try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager, headers: ["Idempotency-Key": idempotencyKey])
        }
        #expect(submit.status == 200, "\(submit.status) \(String(decoding: submit.data, as: UTF8.self))")
        let release = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
        return (key, try #require(release.json["version"] as? Int))
    }

    @Test("a form naming another approver or another release decides only the page's release, as the signed-in user; an approver outside the gate's group is refused")
    func forgedFields() async throws {
        try await GatewayStack.with { stack in
            // The gate's group has its member before anything is submitted: planning refuses to
            // submit a release whose gate nobody can pass (a fresh database has no approvers).
            let approver = try await DashboardTests.signedIn(stack, "keeper", roles: [.approver])
            defer { Task { await approver.shutdown() } }
            #expect(try await stack.call("PUT", "/api/v1/groups/release-approvers/members/keeper-\(stack.suffix)", as: .admin).status == 200)
            let mine = try await Self.submitted(stack, "Mine \(stack.suffix)")
            let other = try await Self.submitted(stack, "Other \(stack.suffix)")
            let page = try await approver.get("/ui/releases/\(mine.key)")
            let csrf = try #require(page.hidden("csrf"))

            // Fields no form has, naming another person and another release: ignored.
            let forged = try await approver.post("/ui/releases/\(mine.key)/approve", [
                ("csrf", csrf), ("expectedPhase", "initiate"), ("expectedVersion", "\(mine.version)"),
                ("idempotencyKey", UUID().uuidString), ("actor", stack.name(.admin)), ("approver", stack.name(.admin)),
                ("name", stack.name(.admin)), ("key", other.key), ("releaseKey", other.key),
            ])
            print("forged fields: \(forged.status) \(forged.location ?? "-")")
            #expect(forged.status == 303 && forged.location == "/ui/releases/\(mine.key)?decided=approved", "\(forged.html)")
            #expect(try await Self.approvals(stack, mine.key) == ["keeper-\(stack.suffix)"])
            #expect(try await Self.approvals(stack, other.key).isEmpty, "the other release is untouched")

            // An approver by role who is not in the gate's group: no form, and a hand-made POST is refused.
            let outsider = try await DashboardTests.signedIn(stack, "outsider", roles: [.approver])
            defer { Task { await outsider.shutdown() } }
            let seen = try await outsider.get("/ui/releases/\(other.key)")
            #expect(seen.status == 200 && !seen.html.contains("/approve\""))
            let refused = try await outsider.post("/ui/releases/\(other.key)/approve", [
                ("csrf", try #require(seen.hidden("csrf"))), ("expectedPhase", "initiate"), ("expectedVersion", "\(other.version)"),
                ("idempotencyKey", UUID().uuidString),
            ])
            print("outsider: \(refused.status)")
            #expect(refused.status == 403 && refused.html.contains("Decision refused"), "\(refused.html)")
            #expect(try await Self.approvals(stack, other.key).isEmpty)
        }
    }

    @Test("an approval that timed out, resent with the same form once planning is back: exactly one decision")
    func resendAfterTimeout() async throws {
        try await GatewayStack.with(commandTimeoutSeconds: 2, planningRuns: false) { stack in
            try stack.startPlanning()
            try await stack.waitUntilPlanningAnswers()
            let approver = try await DashboardTests.signedIn(stack, "resender", roles: [.approver])
            defer { Task { await approver.shutdown() } }
            #expect(try await stack.call("PUT", "/api/v1/groups/release-approvers/members/resender-\(stack.suffix)", as: .admin).status == 200)
            let release = try await Self.submitted(stack, "Resent decision \(stack.suffix)")
            let page = try await approver.get("/ui/releases/\(release.key)")
            let form = [
                ("csrf", try #require(page.hidden("csrf"))), ("expectedPhase", "initiate"), ("expectedVersion", "\(release.version)"),
                ("idempotencyKey", try #require(page.hidden("idempotencyKey"))), ("comment", "once"),
            ]
            stack.stopPlanning()
            let first = try await approver.post("/ui/releases/\(release.key)/approve", form)
            print("with planning away: \(first.status) \(Self.alert(first.html))")
            #expect(first.status == 504 && first.html.contains("Decision refused") && !first.html.contains("Error"), "\(first.html)")

            try stack.startPlanning()
            try await stack.waitUntilPlanningAnswers()
            // The timed-out form, sent again: either it was applied (and the resend is told so) or
            // its deadline passed unexecuted (and the resend says that); never a second decision.
            let resent = try await approver.post("/ui/releases/\(release.key)/approve", form)
            print("resent: \(resent.status) \(resent.location ?? Self.alert(resent.html))")
            let applied = try await Self.approvals(stack, release.key)
            #expect(applied.count <= 1)
            if applied.isEmpty {
                #expect(resent.status == 504 && resent.html.contains("was not executed"), "\(resent.html)")
                // A reloaded page carries a fresh form: one decision, however often it is sent.
                let reloaded = try await approver.get("/ui/releases/\(release.key)")
                let fresh = [("idempotencyKey", try #require(reloaded.hidden("idempotencyKey")))] + form.filter { $0.0 != "idempotencyKey" }
                let decided = try await approver.post("/ui/releases/\(release.key)/approve", fresh)
                let twice = try await approver.post("/ui/releases/\(release.key)/approve", fresh)
                print("reloaded and sent twice: \(decided.status), \(twice.status)")
                #expect(decided.status == 303 && twice.status == 303)
            } else {
                #expect(resent.status == 303)
            }
            #expect(try await Self.approvals(stack, release.key) == ["resender-\(stack.suffix)"], "exactly one decision")
        }
    }

    /// The page's alert text, for the printed record.
    static func alert(_ html: String) -> String {
        guard let start = html.range(of: "role=\"alert\">"), let end = html[start.upperBound...].range(of: "</p>") else { return "-" }
        return String(html[start.upperBound..<end.lowerBound])
    }

    @Test("300 characters or a NUL in the login name, the password and the decision's fields: a clear refusal page, nothing stored, nothing reflected")
    func oversizedAndNUL() async throws {
        try await GatewayStack.with { stack in
            let long = String(repeating: "N", count: 300)
            let browser = DashboardBrowser(base: stack.base)
            defer { Task { await browser.shutdown() } }
            var token = try #require(try await browser.get("/ui/login").hidden("csrf"))
            for (name, password) in [(long, "whatever it is"), ("keeper\u{0}admin", "whatever it is"), ("nobody", "pass\u{0}word"),
                                     (String(repeating: "é", count: 300), String(repeating: "p", count: 300))] {
                let page = try await browser.post("/ui/login", [("csrf", token), ("name", name), ("password", password)])
                print("login name of \(name.count) characters: \(page.status)")
                #expect(page.status == 401 && page.html.contains("The name or the password is wrong."), "\(page.status) \(page.html)")
                #expect(!page.html.contains(long) && !page.html.contains("\u{0}") && !page.setCookies.contains { $0.hasPrefix("shipboard_ui_session=") })
                token = try #require(page.hidden("csrf"))
            }

            let approver = try await DashboardTests.signedIn(stack, "fielder", roles: [.approver])
            defer { Task { await approver.shutdown() } }
            #expect(try await stack.call("PUT", "/api/v1/groups/release-approvers/members/fielder-\(stack.suffix)", as: .admin).status == 200)
            let release = try await Self.submitted(stack, "Hostile fields \(stack.suffix)")
            let csrf = try #require(try await approver.get("/ui/releases/\(release.key)").hidden("csrf"))
            let valid = [("expectedPhase", "initiate"), ("expectedVersion", "\(release.version)"), ("idempotencyKey", UUID().uuidString)]
            for (field, value, path) in [
                ("expectedPhase", long, "approve"), ("expectedPhase", "initiate\u{0}", "approve"), ("comment", String(repeating: "c", count: 1001), "approve"),
                ("reason", String(repeating: "r", count: 1001), "reject"), ("reason", "", "reject"),
            ] {
                let fields = [("csrf", csrf), (field, value)] + valid.filter { $0.0 != field }
                let page = try await approver.post("/ui/releases/\(release.key)/\(path)", fields)
                print("\(path) with \(field) of \(value.count) characters: \(page.status)")
                #expect(page.status == 400 && page.html.contains("Decision not sent") && !page.html.contains(value.isEmpty ? "\u{0}" : value))
            }
            // A NUL inside the comment and a 300-character key in the address: refused or cleanly stored, never a 500.
            let nulComment = try await approver.post("/ui/releases/\(release.key)/approve", [("csrf", csrf), ("comment", "a\u{0}b")] + valid)
            print("comment with a NUL: \(nulComment.status)")
            #expect([303, 400].contains(nulComment.status), "\(nulComment.status) \(nulComment.html)")
            let longKey = try await approver.post("/ui/releases/\(long)/approve", [("csrf", csrf)] + valid)
            print("a 300-character key: \(longKey.status)")
            #expect(longKey.status == 404 && !longKey.html.contains(long))
            let approvals = try await Self.approvals(stack, release.key)
            #expect(approvals.count <= 1 && (nulComment.status == 303) == (approvals.count == 1), "\(approvals)")
        }
    }

    @Test("PostgreSQL down: every dashboard page answers 503 with a clear page, never a 500 or a hang; once it is back the pages work again")
    func databaseDown() async throws {
        try await FaultPostgres.exclusively {
            try await GatewayStack.with(planningRuns: false, onFaultDatabase: true) { stack in
                let browser = try await DashboardTests.signedIn(stack, "operator", roles: [.viewer])
                defer { Task { await browser.shutdown() } }
                let list = try await browser.get("/ui/releases")
                #expect(list.status == 200)
                let csrf = try #require(list.hidden("csrf"))
                let stranger = DashboardBrowser(base: stack.base)
                defer { Task { await stranger.shutdown() } }
                let loginToken = try #require(try await stranger.get("/ui/login").hidden("csrf"))

                try await FaultPostgres.stop()
                let requests: [(String, () async throws -> DashboardBrowser.Page)] = [
                    ("list", { try await browser.get("/ui/releases") }),
                    ("release", { try await browser.get("/ui/releases/REL-000001") }),
                    ("login form", { try await browser.get("/ui/login") }),
                    ("approve", { try await browser.post("/ui/releases/REL-000001/approve", [("csrf", csrf), ("expectedPhase", "initiate")]) }),
                    ("sign-in", { try await stranger.post("/ui/login", [("csrf", loginToken), ("name", "nobody"), ("password", "whatever it is")]) }),
                    ("calendar", { try await browser.get("/ui/calendar") }),
                    ("report", { try await browser.get("/ui/releases/REL-000001/report") }),
                    ("report CSV", { try await browser.get("/ui/releases/REL-000001/report.csv") }),
                    ("portfolio", { try await browser.get("/ui/reports/portfolio") }),
                    ("task start", { try await browser.post("/ui/releases/REL-000001/tasks/structure/start", [("csrf", csrf)]) }),
                    ("live progress", { try await browser.get("/ui/releases/REL-000001/events") }),
                ]
                for (what, request) in requests {
                    let started = Date()
                    let page = try await request()
                    let seconds = Date().timeIntervalSince(started)
                    print("database down, \(what): \(page.status) in \(String(format: "%.1f", seconds)) s")
                    #expect(page.status == 503 && page.html.contains("The database is not available right now"), "\(what): \(page.status) \(page.html)")
                    #expect(page.html.contains("<!doctype html>") && !page.html.contains("Postgres") && !page.html.contains("SELECT"))
                    #expect(seconds < 20, "answered, not hung")
                }

                try await FaultPostgres.start()
                var status = 0
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline, status != 200 {
                    status = try await browser.get("/ui/releases").status
                    if status != 200 { try await Task.sleep(for: .milliseconds(250)) }
                }
                print("database back: \(status)")
                #expect(status == 200, "the dashboard recovers without a restart")
            }
        }
    }
}
