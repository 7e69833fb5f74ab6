import Foundation
import NotificationCore
import ShipboardTestSupport
import Testing

/// SMTPSender against a real SMTP server (aiosmtpd, `SMTPSink`), each test with its own sink.
@Suite("Email channel over SMTP")
struct ChannelEmailTests {
    static func folder(_ name: String) -> String {
        NSTemporaryDirectory() + "shipboard-channel-\(name)-\(UUID().uuidString.prefix(8))"
    }

    static func message(to address: String = "ada@example.com", subject: String = "Release RL-7 deployed", html: String? = nil)
        -> OutboundMessage
    {
        OutboundMessage(
            deliveryId: UUID(), channel: .email, address: address, recipient: "Ada Lovelace", subject: subject,
            text: "Release RL-7 is deployed.\nNo action needed.", html: html, eventType: "rollout.completed", eventId: UUID(),
            releaseKey: "RL-7", occurredAt: Date())
    }

    static func sender(_ sink: SMTPSink, startTLS: SMTPSettings.StartTLS = .off, username: String? = nil,
                       password: String? = nil, caFile: String? = nil) throws -> SMTPSender {
        SMTPSender(settings: try SMTPSettings(
            url: "smtp://127.0.0.1:\(sink.port)", from: "notify@shipboard.test", fromName: "Shipboard", startTLS: startTLS,
            username: username, password: password, caFile: caFile, timeout: .seconds(10)))
    }

    @Test("one email arrives with From, To, a non-ASCII Subject, a stable Message-ID, text and HTML parts")
    func delivered() async throws {
        let sink = try await SMTPSink.start(directory: Self.folder("plain"))
        defer { sink.terminate() }
        let subject = "Release RL-7 — déployée ✓ on every site of the 北京 data centre, ready for review"
        let html = "<p>Release <b>RL-7</b> is deployed — déployée.</p>"
        let message = Self.message(subject: subject, html: html)
        let outcome = try await Self.sender(sink).send(message)
        #expect(outcome == .delivered(detail: "SMTP 250"))
        let mails = try await sink.messages(atLeast: 1)
        try #require(mails.count == 1)
        let mail = mails[0]
        #expect(mail.mailFrom == "notify@shipboard.test")
        #expect(mail.rcptTos == ["ada@example.com"])
        #expect(mail.header("From") == "Shipboard <notify@shipboard.test>")
        #expect(mail.header("To") == "Ada Lovelace <ada@example.com>")
        #expect(mail.header("Subject") == subject)
        let id = message.deliveryId.uuidString.lowercased()
        #expect(mail.header("Message-ID") == "<\(id)@shipboard>")
        #expect(mail.header("X-Shipboard-Delivery") == id)
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative") == true)
        #expect(mail.text?.replacingOccurrences(of: "\r\n", with: "\n") == message.text)
        #expect(mail.html?.replacingOccurrences(of: "\r\n", with: "\n") == html)
        #expect(mail.tls == false)
    }

    @Test("STARTTLS and AUTH work; a wrong password is a permanent failure that does not show the password")
    func startTLSAndAuth() async throws {
        let folder = Self.folder("tls")
        let tls = try await SMTPSink.makeCertificate(in: folder)
        let sink = try await SMTPSink.start(
            directory: folder + "/mail", options: .init(tls: tls, credentials: ("shipboard", "right-Pa55word")))
        defer { sink.terminate() }
        let good = try Self.sender(sink, startTLS: .required, username: "shipboard", password: "right-Pa55word", caFile: tls.certificate)
        #expect(await good.send(Self.message()) == .delivered(detail: "SMTP 250"))
        let mail = try #require(try await sink.messages(atLeast: 1).first)
        #expect(mail.tls)
        #expect(mail.authenticatedAs == "shipboard")

        let wrong = try Self.sender(sink, startTLS: .required, username: "shipboard", password: "wrong-Pa55word", caFile: tls.certificate)
        let outcome = await wrong.send(Self.message())
        guard case .permanent(let reason) = outcome else {
            Issue.record("a wrong password gave \(outcome)")
            return
        }
        #expect(reason.contains("login"), "\(reason)")
        #expect(!reason.contains("wrong-Pa55word"))
        // Without the sink's certificate, the server is not trusted: nothing is sent.
        let untrusted = try Self.sender(sink, startTLS: .required, username: "shipboard", password: "right-Pa55word")
        guard case .permanent(let why) = await untrusted.send(Self.message()) else {
            Issue.record("an untrusted certificate was accepted")
            return
        }
        #expect(why.contains("certificate"), "\(why)")
        #expect(try sink.messages().count == 1)
    }

    @Test("consecutive messages reuse one SMTP connection (no new handshake per message)")
    func connectionReuse() async throws {
        let sink = try await SMTPSink.start(directory: Self.folder("reuse"))
        defer { sink.terminate() }
        let sender = try Self.sender(sink)
        for _ in 0..<3 { #expect(await sender.send(Self.message()) == .delivered(detail: "SMTP 250")) }
        let mails = try await sink.messages(atLeast: 3)
        #expect(mails.count == 3)
        #expect(Set(mails.compactMap(\.peer)).count == 1, "\(mails.map(\.peer))")
    }

    @Test("a server answering 451 gives a retryable outcome; the retry is delivered with the same Message-ID")
    func deferred() async throws {
        let sink = try await SMTPSink.start(directory: Self.folder("451"), options: .init(failFirst: 1))
        defer { sink.terminate() }
        let sender = try Self.sender(sink)
        let message = Self.message()
        let first = await sender.send(message)
        guard case .retryable(let reason) = first else {
            Issue.record("451 gave \(first)")
            return
        }
        #expect(reason.contains("451"), "\(reason)")
        #expect(await sender.send(message) == .delivered(detail: "SMTP 250"))
        let mails = try await sink.messages(atLeast: 1)
        #expect(mails.count == 1)
        #expect(mails.first?.header("Message-ID") == "<\(message.deliveryId.uuidString.lowercased())@shipboard>")
    }

    @Test("a recipient the server refuses (550) is a permanent failure")
    func refusedRecipient() async throws {
        let sink = try await SMTPSink.start(directory: Self.folder("550"), options: .init(rejectedRecipients: ["gone@example.com"]))
        defer { sink.terminate() }
        let outcome = try await Self.sender(sink).send(Self.message(to: "gone@example.com"))
        guard case .permanent(let reason) = outcome else {
            Issue.record("550 gave \(outcome)")
            return
        }
        #expect(reason.contains("550"), "\(reason)")
    }

    @Test("a CR or LF in a header value or a malformed address is refused before anything is sent")
    func headerInjection() async throws {
        let sink = try await SMTPSink.start(directory: Self.folder("inject"))
        defer { sink.terminate() }
        let sender = try Self.sender(sink)
        var injected = Self.message(subject: "Hello\r\nBcc: victim@example.com")
        guard case .permanent(let reason) = await sender.send(injected) else {
            Issue.record("a subject with CRLF was sent")
            return
        }
        #expect(reason.contains("line break"))
        injected = Self.message(subject: "Hello\nBcc: victim@example.com")
        #expect(await sender.send(injected) != .delivered(detail: "SMTP 250"))
        var named = Self.message()
        named.recipient = "Ada\r\nBcc: victim@example.com"
        #expect(await sender.send(named) != .delivered(detail: "SMTP 250"))
        for address in ["ada@example.com\r\nRCPT TO:<x@y.z>", "ada example.com", "<ada@example.com>", "ada@", "ädä@example.com"] {
            guard case .permanent = await sender.send(Self.message(to: address)) else {
                Issue.record("\(address) was not refused")
                continue
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try sink.messages().isEmpty)
    }

    @Test("no server listening is retryable")
    func connectionRefused() async throws {
        let listener = try SilentListener()
        let port = listener.port
        _ = consume listener  // closed: nothing listens on the port now
        let sender = SMTPSender(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(port)", from: "notify@shipboard.test", startTLS: .off))
        guard case .retryable = await sender.send(Self.message()) else {
            Issue.record("a refused connection was not retryable")
            return
        }
    }

    @Test("settings refuse userinfo in the URL, a half-given login and a password in clear text")
    func settings() {
        #expect(throws: SMTPSettingsError.self) { try SMTPSettings(url: "smtp://u:p@mail.example.com", from: "a@b.c") }
        #expect(throws: SMTPSettingsError.self) { try SMTPSettings(url: "http://mail.example.com", from: "a@b.c") }
        #expect(throws: SMTPSettingsError.self) { try SMTPSettings(url: "smtp://mail.example.com", from: "a@b.c", username: "u") }
        #expect(throws: SMTPSettingsError.self) {
            try SMTPSettings(url: "smtp://mail.example.com", from: "a@b.c", startTLS: .off, username: "u", password: "p")
        }
        #expect(throws: SMTPSettingsError.self) {
            try SMTPSettings(url: "smtps://mail.example.com", from: "a@b.c", caFile: "/nonexistent/ca.pem")
        }
        let settings = try? SMTPSettings(url: "smtps://mail.example.com:465", from: "a@b.c", username: "u", password: "hunter22")
        #expect(settings != nil)
        #expect(!(settings.map(String.init(describing:)) ?? "hunter22").contains("hunter22"))
    }
}
