import Contracts
import Foundation
import NotificationCore
import Testing

/// What a rendering looks like: plain text as typed, HTML escaped, chat escaped for Slack,
/// hostile event values harmless and bounded.
@Suite("Templates: rendering")
struct TemplateRenderTests {
    static let hostile = "<script>alert('x')</script> & \"q\"\u{0}\u{7}\u{1B}[31m" + String(repeating: "A", count: 10_000)

    static func context(_ payload: JSONValue, type: String = "release.status_changed", actor: String = "colin") -> TemplateContext {
        let event = EventFacts(
            id: UUID(), type: type, releaseKey: SampleEvents.releaseKey, actor: actor, occurredAt: SampleEvents.at, payload: payload)
        return TemplateContext(event: event, release: SampleEvents.release, recipient: SampleEvents.person, links: SampleEvents.links)
    }

    static func render(_ template: NotificationTemplateText, _ channel: NotificationChannel, _ context: TemplateContext) throws -> NotificationTemplateText {
        TemplateRenderer.render(try TemplateCheck.compile(template, channel: channel), context: context)
    }

    @Test func textIsNotHTMLEscapedButHTMLIs() throws {
        let template = NotificationTemplateText(subject: "{{payload.reason}}", text: "Reason: {{payload.reason}}", html: "<p>{{payload.reason}}</p>")
        let rendered = try Self.render(template, .email, Self.context(.object(["reason": .string("a < b & \"c\" 'd'")])))
        #expect(rendered.text == "Reason: a < b & \"c\" 'd'")
        #expect(rendered.subject == "a < b & \"c\" 'd'")
        #expect(rendered.html == "<p>a &lt; b &amp; &quot;c&quot; &#39;d&#39;</p>")
    }

    @Test func chatTextIsEscapedForSlack() throws {
        let template = NotificationTemplateText(subject: "s", text: "<{{links.release}}|{{release.key}}> {{payload.reason}}")
        let rendered = try Self.render(template, .chat, Self.context(.object(["reason": .string("<!channel> & <https://evil|x>")])))
        #expect(rendered.text == "<https://shipboard.example.com/releases/REL-000042|REL-000042> &lt;!channel&gt; &amp; &lt;https://evil|x&gt;")
    }

    @Test func hostileValuesRenderSafelyAndBoundedly() throws {
        let template = NotificationTemplateText(
            subject: "{{release.key}} {{payload.reason}}", text: "Reason: {{payload.reason}}\nActor: {{event.actor}}",
            html: "<p>{{payload.reason}}</p><p>{{event.actor}}</p>")
        let rendered = try Self.render(template, .email, Self.context(.object(["reason": .string(Self.hostile)]), actor: Self.hostile))
        for part in [rendered.subject, rendered.text, rendered.html ?? ""] {
            #expect(!part.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no NUL, BEL or ESC")
        }
        #expect(rendered.subject.count <= 200)
        #expect(!rendered.subject.contains("\n"))
        #expect(rendered.text.count < 4_200, "each value is cut to 2,000 characters")
        #expect(rendered.text.contains("…"))
        #expect(rendered.html?.contains("<script>") == false)
        #expect(rendered.html?.contains("&lt;script&gt;") == true)
    }

    @Test func aDeepOrWidePayloadIsBounded() throws {
        var deep = JSONValue.string("bottom")
        for _ in 0..<1_000 { deep = .object(["n": deep]) }
        let wide = JSONValue.array((0..<10_000).map { .number(Double($0)) })
        let template = NotificationTemplateText(subject: "s", text: "{{#payload.wide}}{{.}},{{/payload.wide}}|{{payload.deep.n.n.n.n.n.n.n.n}}")
        let rendered = try Self.render(template, .inApp, Self.context(.object(["deep": deep, "wide": wide])))
        #expect(rendered.text.hasPrefix("0,1,2,"))
        #expect(rendered.text.split(separator: ",").count == 101, "100 members and the tail after the last comma")
        #expect(rendered.text.hasSuffix("|"), "nesting stops at 6 levels")
    }

    @Test func aLongRenderingIsCutWithinItsLimit() throws {
        let many = JSONValue.array((0..<100).map { _ in .string(String(repeating: "x", count: 2_000)) })
        let text = String(repeating: "{{#payload.many}}{{.}}{{/payload.many}}", count: 1)
        let rendered = try Self.render(
            NotificationTemplateText(subject: "s", text: text + text), .inApp, Self.context(.object(["many": many])))
        #expect(rendered.text.utf8.count <= TemplateCheck.maxTextBytes)
        #expect(rendered.text.hasSuffix("[cut: the message was longer than a notification may be]"))
    }

    @Test func subjectIsOneLineOfAtMost200Characters() throws {
        let template = NotificationTemplateText(subject: "  {{payload.reason}}  ", text: "t")
        let lines = try Self.render(template, .inApp, Self.context(.object(["reason": .string("first\nsecond\tthird")])))
        #expect(lines.subject == "first second third")
        let empty = try Self.render(template, .inApp, Self.context(.object([:])))
        #expect(empty.subject == TemplateRenderer.fallbackSubject)
        let long = try Self.render(template, .inApp, Self.context(.object(["reason": .string(String(repeating: "y", count: 500))])))
        #expect(long.subject.count == 200)
    }

    @Test func contextNamesLinksNumbersAndLists() throws {
        let template = NotificationTemplateText(
            subject: "s",
            text: "{{release.key}}|{{release.sitesText}}|{{links.release}}|{{links.approval}}|{{payload.count}}|{{payload.ratio}}|{{joined.warnings}}|{{joined.counts}}|{{event.time}}|{{recipient.displayName}}")
        let payload: JSONValue = .object([
            "count": .number(3), "ratio": .number(0.5), "warnings": .array([.string("a"), .string("b")]),
            "counts": .object(["succeeded": .number(10), "failed": .number(2)]),
        ])
        let rendered = try Self.render(template, .inApp, Self.context(payload))
        #expect(rendered.text == "REL-000042|FRA1, AMS1|https://shipboard.example.com/releases/REL-000042|https://shipboard.example.com/releases/REL-000042/approvals|3|0.5|a, b|failed: 2, succeeded: 10|2025-06-15 15:06 UTC|Rita Requester")
    }

    @Test func approvalAndReadyTasksAreInTheContext() throws {
        let submitted = TemplateContext(event: SampleEvents.submitted, release: nil, recipient: SampleEvents.person, links: SampleEvents.links)
        #expect(submitted.values["approval"] == .object([
            "group": .string("cab"), "link": .string("https://shipboard.example.com/releases/REL-000042/approvals"),
        ]))
        let ready = TemplateContext(event: SampleEvents.taskReady, release: nil, recipient: SampleEvents.person, links: SampleEvents.links)
        #expect(ready.values["tasks"] == .array([
            .object(["key": .string("brief-sites"), "link": .string("https://shipboard.example.com/releases/REL-000042/tasks/brief-sites")]),
            .object([
                "key": .string("run-tests"), "link": .string("https://shipboard.example.com/releases/REL-000042/tasks/run-tests"),
                "assignee": .string("tom"),
            ]),
        ]))
    }

    @Test func linksEncodeKeysAsPathSegments() {
        let links = NotificationLinks(baseURL: "https://x.example//")
        #expect(links.release("REL-1/../admin?x=1") == "https://x.example/releases/REL-1%2F..%2Fadmin%3Fx%3D1")
        #expect(links.task("REL-000001", task: "a b") == "https://x.example/releases/REL-000001/tasks/a%20b")
    }

    @Test func aStoredTemplateThatNoLongerCompilesFallsBackToTheGenericMessage() {
        let broken = NotificationTemplateText(subject: "s", text: "{{#open}}")
        let rendered = TemplateRenderer.render(broken, channel: .inApp, context: Self.context(.object([:])))
        #expect(rendered.subject == "REL-000042: release.status_changed")
        #expect(rendered.text.contains("release.status_changed for release REL-000042 (Payroll 7.2), by colin"))
    }
}
