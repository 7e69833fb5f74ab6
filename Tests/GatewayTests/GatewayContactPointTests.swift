import Foundation
import GatewayCore
import Postgres
import Testing

/// A person's contact points over HTTP against the real gateway and PostgreSQL: stored in
/// `gateway.contact_points`, replaced whole, an empty value removes; every hostile address is
/// refused with a problem that does not repeat it, and nothing is written.
@Suite("Gateway: contact points", .serialized)
struct GatewayContactPointTests {
    @Test("a user's own contact points: set, replace, remove; an admin sets another's; hostile addresses refused, nothing written")
    func contactPoints() async throws {
        try await GatewayStack.with(planningRuns: false) { stack in
            let empty = try await stack.call("GET", "/api/v1/me/contacts", as: .viewer)
            #expect(empty.status == 200 && empty.json.isEmpty, "\(String(decoding: empty.data, as: UTF8.self))")

            let both = ["email": "viewer@example.com", "webhook": "https://hooks.example.net/T0/token"]
            let set = try await stack.call("PUT", "/api/v1/me/contacts", as: .viewer, json: both)
            #expect(set.status == 200 && set.json as? [String: String] == both, "\(String(decoding: set.data, as: UTF8.self))")
            #expect(try await stack.call("GET", "/api/v1/me/contacts", as: .viewer).json as? [String: String] == both)

            for (field, hostile) in [
                ("email", "view\u{0}er@example.com"), ("email", String(repeating: "a", count: 300) + "@example.com"),
                ("email", "viewer@example.com\r\nBcc: all@example.com"), ("email", "viewer example.com"), ("email", "no-at-sign"),
                ("webhook", "http://127.0.0.1:8080/hook"), ("webhook", "https://user:secret-pw@hooks.example.net/x"),
                ("chat", "ftp://chat.example.net/x"), ("chat", "https://"), ("webhook", "http://[::1]/x"),
                ("webhook", "https://hooks.example.net/" + String(repeating: "p", count: 2100)),
            ] {
                let refused = try await stack.call("PUT", "/api/v1/me/contacts", as: .viewer, json: [field: hostile])
                let text = String(decoding: refused.data, as: UTF8.self)
                #expect(refused.status == 400 && refused.problemType == "urn:shipboard:problem:validation:notify.contact_point",
                        "\(field) \(hostile.prefix(60)): \(refused.status) \(text)")
                #expect(!text.contains("secret-pw") && !text.contains("Bcc"), "the refusal does not repeat the address")
                #expect((refused.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/\(field)")
            }
            #expect(try await stack.call("GET", "/api/v1/me/contacts", as: .viewer).json as? [String: String] == both,
                    "a refused replacement wrote nothing")

            let emailOnly = try await stack.call("PUT", "/api/v1/me/contacts", as: .viewer, json: ["email": "viewer@example.com", "webhook": ""])
            #expect(emailOnly.json as? [String: String] == ["email": "viewer@example.com"], "an empty value removes")
            let viewer = try await stack.store.user(named: stack.name(.viewer))
            let rows = try await stack.store.pool.query("SELECT channel FROM gateway.contact_points WHERE user_id = \(viewer.id)")
            #expect(try rows.map { try $0.decode(at: 0, as: String.self) } == ["email"])

            let chat = "https://chat.example.org/hooks/abc"
            let byAdmin = try await stack.call("PUT", "/api/v1/users/\(stack.name(.viewer))/contacts", as: .admin, json: ["chat": chat])
            #expect(byAdmin.status == 200 && byAdmin.json as? [String: String] == ["chat": chat])
            #expect(try await stack.call("GET", "/api/v1/me/contacts", as: .viewer).json as? [String: String] == ["chat": chat])
            let nobody = try await stack.call("PUT", "/api/v1/users/nobody-\(stack.suffix)/contacts", as: .admin, json: ["chat": chat])
            #expect(nobody.status == 404)
            let loopbackByAdmin = try await stack.call(
                "PUT", "/api/v1/users/\(stack.name(.viewer))/contacts", as: .admin, json: ["webhook": "http://localhost/x"])
            #expect(loopbackByAdmin.status == 400)
        }
    }
}
