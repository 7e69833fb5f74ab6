import Foundation
import Glibc
import NotificationCore
import Testing

@Suite("Outbound URL policy")
struct ChannelURLPolicyTests {
    let strict = OutboundURLPolicy()
    let local = OutboundURLPolicy(allowLoopback: true)

    @Test("public https and private-network URLs are accepted")
    func accepted() {
        #expect(strict.problem(with: "https://hooks.example.com/services/T0/B0/XYZ") == nil)
        #expect(strict.problem(with: "http://10.0.0.5:8080/hook") == nil)
        #expect(strict.problem(with: "HTTPS://Example.COM./x?y=1") == nil)
    }

    @Test(
        "loopback, link-local, unspecified, multicast targets are refused by default",
        arguments: [
            "http://127.0.0.1/x", "http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/", "http://localhost:8080/",
            "http://LOCALHOST./", "http://api.localhost/", "http://169.254.169.254/latest/meta-data", "http://[::1]:80/",
            "http://[fe80::1]/", "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/", "http://255.255.255.255/",
            "http://[::ffff:127.0.0.1]/", "http://[ff02::1]/",
        ])
    func refusedTargets(url: String) {
        #expect(strict.problem(with: url) != nil, "\(url) was accepted")
    }

    @Test(
        "malformed URLs are refused with a reason",
        arguments: [
            ("http://user:secret@example.com/", "user name or password"), ("ftp://example.com/", "https:// or http://"),
            ("https://exa\u{0}mple.com/", "control character"), ("https://example.com/a b", "control character or a space"),
            ("https://example.com/\u{7f}", "control character"), ("https://", "no host"), ("example.com/hook", "https:// or http://"),
            ("", "empty"), ("https://example.com/" + String(repeating: "a", count: 3000), "longer than 2048"),
        ])
    func malformed(url: String, expected: String) throws {
        let problem = try #require(strict.problem(with: url))
        #expect(problem.contains(expected), "\(problem)")
        #expect(!problem.contains("secret"))
    }

    @Test("loopback is allowed when configured; link-local only with its own flag; unspecified never")
    func configured() {
        #expect(local.problem(with: "http://127.0.0.1:9000/hook") == nil)
        #expect(local.problem(with: "http://localhost:9000/hook") == nil)
        #expect(local.problem(with: "http://[::1]:9000/hook") == nil)
        #expect(local.problem(with: "http://169.254.169.254/") != nil)
        let linkLocal = OutboundURLPolicy(allowLoopback: true, allowLinkLocal: true)
        #expect(linkLocal.problem(with: "http://169.254.169.254/") == nil)
        #expect(linkLocal.problem(with: "http://[fe80::1]/") == nil)
        #expect(linkLocal.problem(with: "http://0.0.0.0/") != nil)
        #expect(linkLocal.problem(with: "http://224.0.0.1/") != nil)
    }

    @Test("the endpoint key is scheme, host and port, with default ports")
    func endpoint() throws {
        #expect(try strict.target(of: "https://Hooks.Example.com/a/b").get().endpoint == "https://hooks.example.com:443")
        #expect(try strict.target(of: "http://example.com:8080/").get().endpoint == "http://example.com:8080")
        #expect(try local.target(of: "http://[::1]:9/").get().endpoint == "http://[::1]:9")
    }

    @Test("before sending, a host name resolving to a loopback address is refused")
    func resolvedLoopbackName() async throws {
        // This machine's own name resolves to loopback through /etc/hosts (Debian's default).
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let url = "http://\(name):9/hook"
        #expect(strict.problem(with: url) == nil, "the text alone is not refused: only the resolved address is")
        let check = await strict.checkBeforeSending(url)
        guard case .refused(let reason) = check else {
            Issue.record("\(name) (resolving to loopback) was not refused: \(check)")
            return
        }
        #expect(reason.contains("loopback"))
        #expect(await local.checkBeforeSending(url) == .allowed(try local.target(of: url).get()))
    }

    @Test("before sending, an unresolvable host is retryable, not refused")
    func unresolvable() async {
        let check = await strict.checkBeforeSending("https://no-such-host.invalid/hook")
        guard case .unresolved = check else {
            Issue.record("expected unresolved, got \(check)")
            return
        }
    }
}
