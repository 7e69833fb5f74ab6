import Foundation
import GatewayCore
import Testing

/// The web dashboard over HTTP against the real gateway, planning and PostgreSQL: sign-in,
/// the release list and page, and gate decisions behind CSRF tokens and the API's checks.
@Suite("Dashboard: sign-in, releases, decisions", .serialized)
struct DashboardTests {
    static let password = "correct horse battery"

    /// A browser signed in as a new user with `roles` and a password.
    static func signedIn(_ stack: GatewayStack, _ name: String, roles: Set<Role>) async throws -> DashboardBrowser {
        _ = try await stack.store.createUser(name: "\(name)-\(stack.suffix)", roles: roles, password: password, createdBy: "test")
        let browser = DashboardBrowser(base: stack.base)
        let form = try await browser.get("/ui/login")
        let login = try await browser.post("/ui/login", [
            ("csrf", try #require(form.hidden("csrf"))), ("name", "\(name)-\(stack.suffix)"), ("password", password),
        ])
        #expect(login.status == 303 && login.location == "/ui/releases", "\(login.status) \(login.html)")
        return browser
    }

    /// A release created by the stack's release manager, with the default work plan applied.
    static func release(_ stack: GatewayStack, title: String) async throws -> String {
        let create = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": title])
        let key = try #require(create.json["releaseKey"] as? String, "\(String(decoding: create.data, as: UTF8.self))")
        #expect(try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: [:]).status == 201)
        return key
    }

    @Test("sign-in: a wrong password shows the form with a message; the right one sets HttpOnly SameSite=Strict cookies; no token, no sign-in; sign-out ends the session")
    func signIn() async throws {
        try await GatewayStack.with { stack in
            let name = "dash-\(stack.suffix)"
            _ = try await stack.store.createUser(name: name, roles: [.viewer], password: Self.password, createdBy: "test")
            let browser = DashboardBrowser(base: stack.base)
            defer { Task { await browser.shutdown() } }
            #expect(try await browser.get("/ui/releases").location == "/ui/login")
            let form = try await browser.get("/ui/login")
            #expect(form.status == 200 && form.html.contains("<meta charset=\"utf-8\">") && form.html.contains("<label for=\"password\">"))
            let token = try #require(form.hidden("csrf"))

            let wrong = try await browser.post("/ui/login", [("csrf", token), ("name", name), ("password", "not it")])
            let unknown = try await browser.post("/ui/login", [("csrf", try #require(wrong.hidden("csrf"))), ("name", "nobody-\(stack.suffix)"), ("password", "not it")])
            #expect(wrong.status == 401 && wrong.html.contains("The name or the password is wrong."))
            #expect(unknown.status == 401 && unknown.html.contains("The name or the password is wrong."))
            #expect(wrong.setCookies.allSatisfy { !$0.hasPrefix("shipboard_ui_session=") })

            // Without the login form's token (another site's form): refused before the password is checked.
            let forged = DashboardBrowser(base: stack.base)
            defer { Task { await forged.shutdown() } }
            let noToken = try await forged.post("/ui/login", [("name", name), ("password", Self.password)])
            #expect(noToken.status == 403 && noToken.html.contains("Form refused") && noToken.setCookies.isEmpty)

            let right = try await browser.post("/ui/login", [("csrf", try #require(unknown.hidden("csrf"))), ("name", name), ("password", Self.password)])
            #expect(right.status == 303 && right.location == "/ui/releases")
            let session = try #require(right.setCookies.first { $0.hasPrefix("shipboard_ui_session=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Secure"] { #expect(session.contains(attribute), "\(session)") }
            let list = try await browser.get("/ui/releases")
            #expect(list.status == 200 && list.html.contains("Signed in as \(name)"))

            // Sign-out needs the session's token too.
            #expect(try await browser.post("/ui/logout", [("csrf", "sbt_guess")]).status == 403)
            let out = try await browser.post("/ui/logout", [("csrf", try #require(list.hidden("csrf")))])
            #expect(out.status == 303 && out.location == "/ui/login")
            #expect(try await browser.get("/ui/releases").location == "/ui/login")
        }
    }

    @Test("the list shows a seeded release and filters it out by phase; its page shows the work plan, the timeline and the verified audit trail; hostile input is escaped or refused")
    func releaseListAndPage() async throws {
        try await GatewayStack.with { stack in
            let marker = "dash\(stack.suffix)"
            let key = try await Self.release(stack, title: "<script>alert(1)</script> \(marker)")
            let browser = try await Self.signedIn(stack, "reader", roles: [.viewer])
            defer { Task { await browser.shutdown() } }

            let listed = try await browser.get("/ui/releases?q=\(marker)")
            #expect(listed.status == 200 && listed.html.contains("href=\"/ui/releases/\(key)\""), "\(listed.html)")
            #expect(listed.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !listed.html.contains("<script>"))
            #expect(listed.html.contains("initiate") && listed.html.contains("draft"))
            #expect(listed.html.contains("<progress max=\"100\" value=\"0\""), "the work plan's progress, none done yet")
            let filtered = try await browser.get("/ui/releases?q=\(marker)&phase=plan")
            #expect(filtered.status == 200 && !filtered.html.contains(key) && filtered.html.contains("No release matches"))

            // A 300-character filter, a NUL, a script: refused by field name, never reflected.
            let long = String(repeating: "Z", count: 300)
            let hostile = try await browser.get("/ui/releases?phase=\(long)&status=%00&priority=%3Cscript%3Ex&q=%3Cscript%3E")
            #expect(hostile.status == 400 && hostile.html.contains("left out: phase, priority, status"), "\(hostile.html)")
            #expect(!hostile.html.contains(long) && !hostile.html.contains("<script>") && !hostile.html.contains("\u{0}"))
            let longTitle = try await browser.get("/ui/releases?q=\(String(repeating: "q", count: 300))")
            #expect(longTitle.status == 400 && longTitle.html.contains("left out: q") && !longTitle.html.contains(String(repeating: "q", count: 300)))
            let nul = try await browser.get("/ui/releases?q=a%00b")
            #expect(nul.status == 400 && nul.html.contains("left out: q"))

            let page = try await browser.get("/ui/releases/\(key)")
            #expect(page.status == 200 && page.html.contains("&lt;script&gt;") && !page.html.contains("<script>"))
            #expect(page.html.contains("<li class=\"current\">initiate"))
            #expect(page.html.contains("<td>structure (critical)</td>"), "\(page.html)")
            #expect(page.html.contains("<svg ") && page.html.contains("class=\"critical-bar\"") && page.html.contains(">structure</text>"))
            #expect(page.html.contains("Verified: all") && page.html.contains("Audit entries"))
            #expect(!page.html.contains("action=\"/ui/releases/\(key)/approve\""))
            #expect(try await browser.get("/ui/releases/REL-999999997").status == 404)
            let odd = try await browser.get("/ui/releases/%3Cscript%3E")
            #expect(odd.status == 404 && !odd.html.contains("<script>"))
        }
    }

    @Test("an approver decides from the page only with the CSRF token, as the API's approve would; a viewer sees no form and a forged POST is refused")
    func decisions() async throws {
        try await GatewayStack.with { stack in
            // The gate's group gets its member first: planning refuses to submit a release whose
            // gate nobody can pass (on a fresh database the group is empty).
            let approver = try await Self.signedIn(stack, "gatekeeper", roles: [.approver])
            defer { Task { await approver.shutdown() } }
            let join = try await stack.call("PUT", "/api/v1/groups/release-approvers/members/gatekeeper-\(stack.suffix)", as: .admin)
            #expect(join.status == 200)
            let key = try await Self.release(stack, title: "Decided on the page \(stack.suffix)")
            let submit = try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager)
            #expect(submit.status == 200, "\(submit.status) \(String(decoding: submit.data, as: UTF8.self))")

            let page = try await approver.get("/ui/releases/\(key)")
            #expect(page.html.contains("action=\"/ui/releases/\(key)/approve\"") && page.html.contains("<label for=\"comment\">"), "\(page.html)")
            let csrf = try #require(page.hidden("csrf"))
            let before = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
            let decision: [(String, String)] = [
                ("expectedPhase", "initiate"), ("expectedVersion", "\(before.json["version"] as? Int ?? 0)"),
                ("idempotencyKey", UUID().uuidString), ("comment", "looks right"),
            ]

            // No token, or another one: 403, and the release is as it was.
            #expect(try await approver.post("/ui/releases/\(key)/approve", decision).status == 403)
            let wrong = try await approver.post("/ui/releases/\(key)/approve", [("csrf", "sbt_" + String(repeating: "A", count: 43))] + decision)
            #expect(wrong.status == 403 && wrong.html.contains("Form refused"))
            let unchanged = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
            #expect(unchanged.json["version"] as? Int == before.json["version"] as? Int && unchanged.json["status"] as? String == "pending_approval")

            // A viewer: no form on the page, and their own valid token does not make them an approver.
            let viewer = try await Self.signedIn(stack, "onlooker", roles: [.viewer])
            defer { Task { await viewer.shutdown() } }
            let seen = try await viewer.get("/ui/releases/\(key)")
            #expect(!seen.html.contains("/approve\"") && !seen.html.contains("/reject\""))
            let viewerToken = try #require(seen.hidden("csrf"))
            #expect(try await viewer.post("/ui/releases/\(key)/approve", [("csrf", viewerToken)] + decision).status == 403)
            #expect(try await viewer.post("/ui/releases/\(key)/reject", [("csrf", viewerToken), ("reason", "no")] + decision).status == 403)

            let approved = try await approver.post("/ui/releases/\(key)/approve", [("csrf", csrf)] + decision)
            #expect(approved.status == 303 && approved.location == "/ui/releases/\(key)?decided=approved", "\(approved.status) \(approved.html)")
            let after = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
            #expect(after.json["status"] as? String == "in_progress", "\(String(decoding: after.data, as: UTF8.self))")
            let history = (after.json["history"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(history.last == "approved")
            // The same form sent again (a double click): one decision.
            let again = try await approver.post("/ui/releases/\(key)/approve", [("csrf", csrf)] + decision)
            #expect(again.status == 303)
            let once = try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer)
            #expect((once.json["history"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "approved" }.count == 1)
            let shown = try await approver.get("/ui/releases/\(key)?decided=approved")
            #expect(shown.html.contains("Your decision (approved) is recorded.") && shown.html.contains("looks right"))
            // Decided: the forms are gone (planning would refuse a second decision anyway).
            #expect(!shown.html.contains("action=\"/ui/releases/\(key)/approve\""), "\(shown.html)")
            #expect(!shown.html.contains("action=\"/ui/releases/\(key)/reject\""))
        }
    }
}
