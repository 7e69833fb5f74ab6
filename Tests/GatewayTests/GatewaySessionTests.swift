import Foundation
import GatewayCore
import HummingbirdOTP
import Testing

/// Browser login over HTTP: the session cookie's attributes, CSRF on changing requests,
/// logout, the login rate limits per account and per address, and the TOTP second factor an
/// admin can require for a role.
@Suite("Gateway: sessions, CSRF, login limits, TOTP", .serialized)
struct GatewaySessionTests {
    static func login(_ stack: GatewayStack, _ name: String, _ password: String, totp: String? = nil) async throws -> GatewayStack.Response {
        var body = ["name": name, "password": password]
        if let totp { body["totp"] = totp }
        return try await stack.call("POST", "/api/v1/session", json: body)
    }

    static func cookie(_ response: GatewayStack.Response) -> String? {
        response.headers["set-cookie"]?.split(separator: ";").first.map(String.init)
    }

    @Test("a session cookie is HttpOnly, Secure, SameSite=Strict; changing requests need the CSRF token; logout ends it")
    func sessionAndCSRF() async throws {
        try await GatewayStack.with { stack in
            let name = "web-\(stack.suffix)"
            _ = try await stack.store.createUser(name: name, roles: [.releaseManager], password: "correct horse battery", createdBy: "test")
            let login = try await Self.login(stack, name, "correct horse battery")
            #expect(login.status == 200, "\(String(decoding: login.data, as: UTF8.self))")
            let setCookie = try #require(login.headers["set-cookie"])
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api"] { #expect(setCookie.contains(attribute), "\(setCookie)") }
            let cookie = try #require(Self.cookie(login))
            let csrf = try #require(login.json["csrfToken"] as? String)

            let me = try await stack.call("GET", "/api/v1/me", headers: ["Cookie": cookie])
            #expect(me.status == 200 && me.json["name"] as? String == name)
            let noToken = try await stack.call("POST", "/api/v1/releases", json: ["title": "From a form"], headers: ["Cookie": cookie])
            #expect(noToken.status == 403 && noToken.problemType == "urn:shipboard:problem:forbidden:auth.csrf")
            let wrongToken = try await stack.call(
                "POST", "/api/v1/releases", json: ["title": "From a form"], headers: ["Cookie": cookie, "X-CSRF-Token": "sbt_guess"])
            #expect(wrongToken.status == 403)
            let withToken = try await stack.call(
                "POST", "/api/v1/releases", json: ["title": "From the page"], headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(withToken.status == 201)

            let logout = try await stack.call("DELETE", "/api/v1/session", headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(logout.status == 204 && logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
            #expect(try await stack.call("GET", "/api/v1/me", headers: ["Cookie": cookie]).status == 401)
            #expect(try await stack.call("GET", "/api/v1/me", headers: ["Cookie": "shipboard_session=forged-value-of-some-length"]).status == 401)
        }
    }

    @Test("five failures lock the account for the window, even with the right password; the message never says which part was wrong")
    func loginRateLimit() async throws {
        try await GatewayStack.with { stack in
            let name = "guessed-\(stack.suffix)"
            _ = try await stack.store.createUser(name: name, roles: [.viewer], password: "the right password", createdBy: "test")
            let unknown = try await Self.login(stack, "nobody-\(stack.suffix)", "whatever at all")
            let wrong = try await Self.login(stack, name, "a wrong password")
            #expect(unknown.status == 401 && wrong.status == 401 && unknown.json["detail"] as? String == wrong.json["detail"] as? String)
            for _ in 0..<4 { _ = try await Self.login(stack, name, "a wrong password") }
            let locked = try await Self.login(stack, name, "the right password")
            #expect(locked.status == 429 && locked.problemType == "urn:shipboard:problem:throttled:auth.login_rate")
            #expect((locked.headers["retry-after"].flatMap(Int.init) ?? 0) > 0)
        }
    }

    @Test("a login name of 300 characters heavy with combining marks, or with a NUL, is a 401 like any unknown name, never a 500")
    func hostileLoginNames() async throws {
        try await GatewayStack.with { stack in
            let zalgo = String(repeating: "Z\u{0335}\u{0321}\u{0347}a\u{0336}\u{0318}l\u{0320}", count: 100)
            for name in [zalgo, "nul\u{0}name", String(repeating: "İ", count: 300)] {
                let answer = try await Self.login(stack, name, "whatever at all")
                #expect(answer.status == 401 && answer.isProblem, "\(answer.status) \(String(decoding: answer.data, as: UTF8.self))")
            }
        }
    }

    @Test("an admin requires TOTP for a role: its users log in only with a current code")
    func secondFactor() async throws {
        try await GatewayStack.with { stack in
            let name = "totp-\(stack.suffix)"
            let user = try await stack.store.createUser(name: name, roles: [.tester], password: "tester password 1", createdBy: "test")
            let policy = try await stack.call("PUT", "/api/v1/roles/tester/policy", as: .admin, json: ["requireTotp": true])
            #expect(policy.status == 200)
            let noCode = try await Self.login(stack, name, "tester password 1")
            #expect(noCode.status == 401 && noCode.problemType == "urn:shipboard:problem:unauthorized:auth.totp")

            let url = try await stack.store.enrollTOTP(for: user)
            #expect(url.hasPrefix("otpauth://totp/"))
            let secret = try #require(try await stack.store.pool.query(
                "SELECT totp_secret FROM gateway.users WHERE id = \(user.id)").single().decode(at: 0, as: String.self))
            let code = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            let wrongCode = String(format: "%06d", (Int(code)! + 1) % 1_000_000)
            #expect(try await Self.login(stack, name, "tester password 1", totp: wrongCode).status == 401)
            let withCode = try await Self.login(stack, name, "tester password 1", totp: code)
            #expect(withCode.status == 200, "\(String(decoding: withCode.data, as: UTF8.self))")
            try await stack.store.setTOTPRequired(false, for: .tester, by: "test")
        }
    }
}
