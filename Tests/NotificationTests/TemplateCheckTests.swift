import Contracts
import NotificationCore
import Testing

/// A template that does not compile, or that could insert values unescaped where they must be
/// escaped, is refused with its part and line.
@Suite("Templates: check")
struct TemplateCheckTests {
    static func problem(_ template: NotificationTemplateText, _ channel: NotificationChannel = .email) -> TemplateProblem? {
        do {
            try TemplateCheck.check(template, channel: channel)
            return nil
        } catch {
            return error
        }
    }

    @Test func anUnclosedSectionIsRefusedAtTheLineItOpens() {
        let text = "Hello {{recipient.displayName}},\n\n{{#payload}}\nReason: {{reason}}\nbye\n"
        let problem = Self.problem(NotificationTemplateText(subject: "s", text: text))
        #expect(problem == TemplateProblem(part: .text, line: 3, message: "unclosed section 'payload'"))
        #expect(problem?.description == "text, line 3: unclosed section 'payload'")
    }

    @Test func aMismatchedCloseIsRefusedAtItsLine() {
        let html = "<p>\n{{#release}}\n{{key}}\n{{/payload}}\n</p>"
        let problem = Self.problem(NotificationTemplateText(subject: "s", text: "t", html: html))
        #expect(problem?.part == .html)
        #expect(problem?.line == 4)
        #expect(problem?.message.contains("'release'") == true)
    }

    @Test func anUnfinishedTagIsRefusedAtTheParsersLine() {
        let problem = Self.problem(NotificationTemplateText(subject: "s", text: "one\ntwo {{payload.reason\nthree"))
        #expect(problem?.part == .text)
        #expect(problem?.line == 2 || problem?.line == 3)
        #expect(problem?.message.contains("tag is not finished") == true)
    }

    @Test func theSubjectIsOneShortLine() {
        #expect(Self.problem(NotificationTemplateText(subject: "", text: "t"))?.part == .subject)
        #expect(Self.problem(NotificationTemplateText(subject: "a\nb", text: "t"))?.message == "must be one line")
        #expect(Self.problem(NotificationTemplateText(subject: String(repeating: "x", count: 1_001), text: "t"))?.part == .subject)
        #expect(Self.problem(NotificationTemplateText(subject: String(repeating: "x", count: 1_000), text: "t")) == nil)
        #expect(Self.problem(NotificationTemplateText(subject: "{{#a}}", text: "t"))?.part == .subject)
    }

    @Test func sizesAndControlCharactersAreBounded() {
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: String(repeating: "x", count: 65_537)))?.part == .text)
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: String(repeating: "x", count: 65_536))) == nil)
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: "  \n"))?.part == .text)
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: "t", html: String(repeating: "x", count: 131_073)))?.part == .html)
        let nul = Self.problem(NotificationTemplateText(subject: "s", text: "a\nb\u{0}"))
        #expect(nul?.part == .text && nul?.line == 2)
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: "tab\tand\r\nlines")) == nil)
    }

    @Test func htmlIsOnlyForEmail() {
        let template = NotificationTemplateText(subject: "s", text: "t", html: "<p>x</p>")
        #expect(Self.problem(template, .email) == nil)
        for channel in [NotificationChannel.chat, .webhook, .inApp] {
            #expect(Self.problem(template, channel)?.part == .html)
        }
    }

    @Test(arguments: ["{{{payload.reason}}}", "{{&payload.reason}}", "{{=<% %>=}}<%{payload.reason}%>", "{{%CONTENT_TYPE:TEXT}}"])
    func escapedPartsCannotTurnEscapingOff(_ tag: String) {
        let html = Self.problem(NotificationTemplateText(subject: "s", text: "t", html: "<p>\n\(tag)</p>"))
        #expect(html?.part == .html && html?.line == 2)
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: "x \(tag)"), .chat)?.part == .text)
    }

    @Test func plainTextMayUseUnescapedTags() {
        #expect(Self.problem(NotificationTemplateText(subject: "s", text: "{{{payload.reason}}} {{&payload.reason}}"), .inApp) == nil)
    }

    @Test func partialsAreRefused() {
        let problem = Self.problem(NotificationTemplateText(subject: "s", text: "a\n{{> footer}}"))
        #expect(problem?.line == 2)
        #expect(problem?.message.contains("partials") == true)
    }

    @Test func theCommandRuleReportsPartAndLine() {
        let command = SaveNotificationTemplate(
            eventType: "release.phase_changed", channel: .email, template: NotificationTemplateText(subject: "s", text: "a\nb\n{{#x}}"))
        #expect(throws: CommandError(.validation, "template.text line 3: unclosed section 'x'", rule: "notify.template",
                                     fields: ["template.text": "line 3: unclosed section 'x'"])) {
            try NotificationCommandRules.checked(command)
        }
    }
}
