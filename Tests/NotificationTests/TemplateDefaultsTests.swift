import Contracts
import Foundation
import NotificationCore
import Testing

/// Every built-in template passes the check and renders every sample event into a message
/// that names the release, has no Mustache left in it and keeps chat and in-app short.
@Suite("Templates: built-in")
struct TemplateDefaultsTests {
    static let channels: [NotificationChannel] = [.email, .chat, .webhook, .inApp]

    static func render(_ event: EventFacts, _ channel: NotificationChannel, release: ReleaseFacts? = SampleEvents.release) throws -> NotificationTemplateText {
        let template = DefaultTemplates.template(eventType: event.type, channel: channel)
        let context = TemplateContext(event: event, release: release, recipient: SampleEvents.person, links: SampleEvents.links)
        return TemplateRenderer.render(try TemplateCheck.compile(template, channel: channel), context: context)
    }

    @Test func everyBuiltInTemplatePassesTheCheck() throws {
        for type in DefaultTemplates.eventTypes + ["some.other_event"] {
            for channel in Self.channels {
                let template = DefaultTemplates.template(eventType: type, channel: channel)
                try TemplateCheck.check(template, channel: channel)
                #expect((template.html != nil) == (channel == .email), "\(type) \(channel)")
            }
        }
    }

    @Test(arguments: SampleEvents.all)
    func everySampleRendersOnEveryChannel(_ event: EventFacts) throws {
        for channel in Self.channels {
            let message = try Self.render(event, channel)
            let parts = [message.subject, message.text, message.html ?? ""]
            #expect(message.subject.contains("REL-000042"), "\(event.type) \(channel): \(message.subject)")
            #expect(message.text.contains("REL-000042"))
            #expect(parts.allSatisfy { !$0.contains("{{") && !$0.contains("}}") })
            #expect(!message.text.contains("\n\n\n"), "no runs of blank lines from conditions: \(message.text)")
            if channel != .email {
                #expect(message.text.count < 1_000, "\(event.type) \(channel) is short")
            }
        }
        let email = try Self.render(event, .email)
        #expect(email.text.hasPrefix("Hello Rita Requester,\n"))
        #expect(email.html?.contains("<a href=\"https://shipboard.example.com/releases/REL-000042\">Open the release</a>") == true)
    }

    @Test func theApprovalRequestLinksTheApprovalPage() throws {
        let email = try Self.render(SampleEvents.submitted, .email)
        #expect(email.subject == "Approval requested: REL-000042 submitted Payroll 7.2")
        #expect(email.text.contains("Your approval is requested as a member of cab."))
        #expect(email.text.contains("Open the approval page: https://shipboard.example.com/releases/REL-000042/approvals"))
        #expect(email.html?.contains("href=\"https://shipboard.example.com/releases/REL-000042/approvals\"") == true)
        let chat = try Self.render(SampleEvents.submitted, .chat)
        #expect(chat.text.contains("<https://shipboard.example.com/releases/REL-000042/approvals|Open the approval page>"))

        // The requester's phase-change message mentions no approval when no gate waits.
        let moved = try Self.render(SampleEvents.phaseChanged, .inApp)
        #expect(moved.subject == "REL-000042 moved to rollout_plan")
        #expect(!moved.text.contains("approval"))
        #expect(moved.text.contains("Exit criteria that failed as warnings: docs-reviewed"))
    }

    @Test func theTaskMessageListsReadyTasksWithLinks() throws {
        let message = try Self.render(SampleEvents.taskReady, .inApp)
        #expect(message.text.contains("Ready to work on now:\n- brief-sites: https://shipboard.example.com/releases/REL-000042/tasks/brief-sites\n- run-tests (assigned to tom): https://shipboard.example.com/releases/REL-000042/tasks/run-tests\n"))
        let html = try #require(try Self.render(SampleEvents.taskReady, .email).html)
        #expect(html.contains("<ul><li><a href=\"https://shipboard.example.com/releases/REL-000042/tasks/brief-sites\">brief-sites</a></li>"))
    }

    @Test func rolloutAndTestMessagesCarryTheirFacts() throws {
        let halted = try Self.render(SampleEvents.rolloutHalted, .email)
        #expect(halted.subject == "REL-000042: rollout halted")
        #expect(halted.text.contains("Targets: failed: 3, succeeded: 5"))
        #expect(halted.text.contains("Reason: 3 targets failed"))
        let tests = try Self.render(SampleEvents.testCompleted, .chat)
        #expect(tests.subject == "REL-000042: tests failed (10 passed, 2 failed)")
        #expect(tests.text.contains("Failed tests: smoke, login"))
    }

    @Test func anEventWithoutAReleaseRendersTheGenericMessage() throws {
        let event = EventFacts(id: UUID(), type: "dml.verified", releaseKey: nil, actor: "system", occurredAt: SampleEvents.at, payload: .object([:]))
        let message = try Self.render(event, .email, release: nil)
        #expect(message.subject == "dml.verified")
        #expect(message.text.contains("dml.verified, by system at 2025-06-15 15:06 UTC."))
        #expect(!message.text.contains("Open the release"))
    }

    @Test func briefingCarriesThePlansSubjectAndText() throws {
        let body = "# Payroll 7.2\n\nDowntime 02:00-02:30.\n<b>not markup</b>"
        for channel in Self.channels {
            let context = TemplateContext.briefing(
                subject: "Briefing: payroll goes live tomorrow", body: body, releaseKey: SampleEvents.releaseKey, release: SampleEvents.release,
                recipient: SampleEvents.person, links: SampleEvents.links)
            let template = DefaultTemplates.template(eventType: "briefing", channel: channel)
            let message = TemplateRenderer.render(try TemplateCheck.compile(template, channel: channel), context: context)
            #expect(message.subject == "Briefing: payroll goes live tomorrow")
            #expect(message.text.contains(channel == .chat ? "Downtime 02:00-02:30.\n&lt;b&gt;not markup&lt;/b&gt;" : body))
            if channel == .email {
                #expect(message.html?.contains("<div style=\"white-space: pre-wrap\"># Payroll 7.2") == true)
                #expect(message.html?.contains("&lt;b&gt;not markup&lt;/b&gt;") == true)
            }
        }
    }

    @Test func digestListsItsItems() throws {
        let items = [
            TemplateContext.DigestItem(subject: "REL-000042 is now on_hold", releaseKey: "REL-000042", occurredAt: SampleEvents.at.addingTimeInterval(60)),
            TemplateContext.DigestItem(subject: "dml.verified", releaseKey: nil, occurredAt: SampleEvents.at),
        ]
        let context = TemplateContext.digest(items: items, recipient: SampleEvents.person, links: SampleEvents.links)
        let template = DefaultTemplates.template(eventType: "digest", channel: .email)
        let message = TemplateRenderer.render(try TemplateCheck.compile(template, channel: .email), context: context)
        #expect(message.subject == "Shipboard digest: 2 notifications")
        #expect(message.text.contains("Since the last digest:\n- 2025-06-15 15:06 UTC dml.verified\n- 2025-06-15 15:07 UTC REL-000042: REL-000042 is now on_hold\n"))
        #expect(message.html?.contains("<li>2025-06-15 15:06 UTC dml.verified</li>") == true)
    }
}
