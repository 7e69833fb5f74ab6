import Contracts
import NotificationCore
import Testing

/// The contact point rule the gateway checks before storing an address (pure, no server).
@Suite("Contact point rules")
struct ContactPointRulesTests {
    static let strict = OutboundURLPolicy()

    static func refusal(_ address: String, _ channel: NotificationChannel, policy: OutboundURLPolicy = strict) -> CommandError? {
        do {
            try ContactPointRules.check(address, channel: channel, field: channel.rawValue, policy: policy)
            return nil
        } catch {
            return error
        }
    }

    @Test("plain addresses and http(s) URLs with a host pass")
    func accepted() {
        for email in ["ops@example.com", "first.last+tag@mail.example.co.uk", "a@b"] {
            #expect(Self.refusal(email, .email) == nil, "\(email)")
        }
        for url in ["https://hooks.slack.com/services/T0/B0/xyz", "http://receiver.example.net:8080/hook?sig=1"] {
            #expect(Self.refusal(url, .webhook) == nil, "\(url)")
            #expect(Self.refusal(url, .chat) == nil, "\(url)")
        }
    }

    @Test("NUL, 300 characters, CR/LF, spaces, no @, a bad domain: refused, naming the field, not repeating the value")
    func emailRefused() {
        let hostile = [
            "ops\u{0}@example.com", String(repeating: "a", count: 300) + "@example.com", "ops@example.com\r\nBcc: x@example.com",
            "ops@example.com\n", "o ps@example.com", "opsexample.com", "a@b@c", "@example.com", "ops@", "ops@-bad-.com", ".ops@example.com",
            "ops..x@example.com", "ops@exa_mple.com", "", String(repeating: "l", count: 65) + "@example.com",
        ]
        for address in hostile {
            let error = Self.refusal(address, .email)
            #expect(error?.kind == .validation && error?.rule == "notify.contact_point" && error?.fields?["email"] != nil, "\(address)")
            #expect(error.map { !$0.message.contains("Bcc") && !$0.message.contains("example.com") } == true, "\(address)")
        }
    }

    @Test("loopback, link-local, userinfo, other schemes, no host, 2,049+ characters, CR/LF: refused")
    func urlRefused() {
        let hostile = [
            "http://127.0.0.1", "http://127.0.0.1:9000/hook", "https://localhost/x", "http://[::1]/x", "http://169.254.169.254/latest",
            "https://user:pw@hooks.example.net/x", "https://token@hooks.example.net/x", "ftp://files.example.net/x", "javascript:alert(1)",
            "https://", "hooks.example.net/x", "https://hooks.example.net/x\r\nX-Evil: 1", "https://hooks.example.net/\u{0}",
            "https://hooks.example.net/" + String(repeating: "p", count: 2030), "https://hooks.example.net/a b",
        ]
        for address in hostile {
            let error = Self.refusal(address, .webhook)
            #expect(error?.kind == .validation && error?.fields?["webhook"] != nil, "\(address.prefix(80))")
            #expect(error.map { !$0.message.contains("pw@") && !$0.message.contains("X-Evil") } == true)
        }
    }

    @Test("loopback is allowed only when the policy allows it; in-app has no address")
    func configured() {
        #expect(Self.refusal("http://127.0.0.1:9000/hook", .webhook, policy: OutboundURLPolicy(allowLoopback: true)) == nil)
        #expect(Self.refusal("http://169.254.1.1/x", .chat, policy: OutboundURLPolicy(allowLoopback: true)) != nil)
        #expect(Self.refusal("ops@example.com", .inApp) != nil)
    }
}
