import Foundation
import GatewayCore
import Testing

/// Bad input over HTTP gets a 4xx problem and changes nothing, never a 5xx: malformed JSON,
/// wrong types, unknown enum values, missing fields, a 10 MB body, hostile strings; and
/// tokens that expired or were revoked get 401.
@Suite("Gateway: bad input and dead tokens", .serialized)
struct GatewayInputTests {
    @Test("malformed, mistyped, unknown, missing, oversized and hostile input: 4xx problems naming the field")
    func badInput() async throws {
        try await GatewayStack.with { stack in
            func post(_ body: Data) async throws -> GatewayStack.Response {
                try await stack.call("POST", "/api/v1/releases", as: .releaseManager, body: body)
            }
            let malformed = try await post(Data("{\"title\": ".utf8))
            #expect(malformed.status == 400 && malformed.isProblem)
            let wrongType = try await post(Data("{\"title\": 42}".utf8))
            #expect(wrongType.status == 400 && (wrongType.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/title")
            let unknownEnum = try await post(Data("{\"title\": \"t\", \"type\": \"gigantic\"}".utf8))
            #expect(unknownEnum.status == 400 && (unknownEnum.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/type")
            let missing = try await post(Data("{}".utf8))
            #expect(missing.status == 400 && (missing.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/title")
            let huge = try await post(Data("{\"title\": \"".utf8) + Data(repeating: UInt8(ascii: "a"), count: 10_000_000) + Data("\"}".utf8))
            #expect(huge.status == 413 && huge.problemType == "urn:shipboard:problem:validation:requests.body_size")

            // Hostile strings reach planning's rules and come back as validation problems.
            for title in ["", String(repeating: "x", count: 300), "nul\u{0}inside", "bell\u{7}"] {
                let response = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": title])
                #expect(response.status == 400 && response.isProblem, "\(title.prefix(20)): \(response.status)")
                #expect((response.json["errors"] as? [[String: Any]])?.contains { $0["pointer"] as? String == "/title" } == true)
            }
            let hostileQuery = try await stack.call("GET", "/api/v1/releases?q=%00%27;DROP%20TABLE", as: .viewer)
            #expect(hostileQuery.status == 400 && hostileQuery.isProblem)
            let badLimit = try await stack.call("GET", "/api/v1/releases?limit=100000", as: .viewer)
            #expect(badLimit.status == 400)
            let badKey = try await stack.call("GET", "/api/v1/releases/'%20OR%201=1", as: .viewer)
            #expect((400..<500).contains(badKey.status))
            let badCI = try await stack.call("GET", "/api/v1/cis?class=spaceship", as: .viewer)
            #expect(badCI.status == 400)
            // Nothing above created a release.
            let page = try await stack.call("GET", "/api/v1/releases?q=%22&limit=1", as: .viewer)
            #expect(page.status == 200)
        }
    }

    @Test("an expired token and a revoked token get 401; a token issued through the API works once and is shown once")
    func deadTokens() async throws {
        try await GatewayStack.with { stack in
            let user = try await stack.store.createUser(name: "short-\(stack.suffix)", roles: [.viewer], createdBy: "test")
            let short = try await stack.store.issueToken(for: user.id, label: "short", lifetime: .milliseconds(1500))
            #expect(try await stack.call("GET", "/api/v1/me", token: short.token.secret).status == 200)
            try await Task.sleep(for: .seconds(2))
            let expired = try await stack.call("GET", "/api/v1/me", token: short.token.secret)
            #expect(expired.status == 401 && expired.problemType == "urn:shipboard:problem:unauthorized:auth.token")

            let issued = try await stack.call(
                "POST", "/api/v1/users/short-\(stack.suffix)/tokens", as: .admin, json: ["label": "laptop", "days": 1])
            #expect(issued.status == 201)
            let secret = try #require(issued.json["token"] as? String)
            let id = try #require(issued.json["id"] as? String)
            #expect(try await stack.call("GET", "/api/v1/me", token: secret).status == 200)
            let users = try await stack.call("GET", "/api/v1/users", as: .admin)
            #expect(!String(decoding: users.data, as: UTF8.self).contains(secret), "a token is never shown again")
            #expect(try await stack.call("DELETE", "/api/v1/tokens/\(id)", as: .admin).status == 204)
            let revoked = try await stack.call("GET", "/api/v1/me", token: secret)
            #expect(revoked.status == 401)
        }
    }

    @Test("no answer from planning in time: 504 problem; queries still answer")
    func commandTimeout() async throws {
        try await GatewayStack.with(commandTimeoutSeconds: 1, planningRuns: false) { stack in
            let started = Date()
            let create = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Nobody answers"])
            #expect(create.status == 504 && create.problemType?.hasPrefix("urn:shipboard:problem:timeout:") == true,
                    "\(String(decoding: create.data, as: UTF8.self))")
            #expect(Date().timeIntervalSince(started) < 10, "the gateway gives up at its timeout")
            let list = try await stack.call("GET", "/api/v1/releases?limit=1", as: .viewer)
            #expect(list.status == 200)
        }
    }
}
