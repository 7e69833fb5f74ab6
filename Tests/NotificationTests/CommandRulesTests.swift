import Contracts
import NotificationCore
import Testing

/// The notify commands' field rules: each refusal is a validation error naming its field.
@Suite("Notify command rules")
struct CommandRulesTests {
    static func refusedField(_ check: () throws(CommandError) -> Void) -> String? {
        do {
            try check()
            return nil
        } catch {
            #expect(error.kind == .validation)
            #expect(error.rule?.hasPrefix("notify.") == true)
            return error.fields?.keys.first
        }
    }

    static func subscribe(
        kind: SubscriberKind = .person, subscriber: String = "rita", pattern: String = "rollout.*", channel: NotificationChannel = .email,
        key: String? = nil, type: String? = nil, priority: String? = nil, site: String? = nil
    ) -> Subscribe {
        Subscribe(subscriberKind: kind, subscriber: subscriber, eventPattern: pattern, channel: channel, releaseKey: key,
                  releaseType: type, priority: priority, site: site)
    }

    @Test func aGoodSubscriptionIsNormalised() throws {
        let checked = try NotificationCommandRules.checked(
            Self.subscribe(subscriber: "  Rita ", key: "REL-000042", type: "minor", priority: "high", site: "FRA1"))
        #expect(checked.subscriber == "rita")
        #expect(try NotificationCommandRules.checked(Self.subscribe(kind: .group, subscriber: "Release-Managers")).subscriber == "release-managers")
    }

    @Test func subscriptionFieldsAreChecked() {
        let cases: [(Subscribe, String)] = [
            (Self.subscribe(kind: .unknown("team")), "subscriberKind"),
            (Self.subscribe(subscriber: "  "), "subscriber"),
            (Self.subscribe(subscriber: String(repeating: "a", count: 201)), "subscriber"),
            (Self.subscribe(subscriber: "ri\u{0}ta"), "subscriber"),
            (Self.subscribe(kind: .group, subscriber: "-cab"), "subscriber"),
            (Self.subscribe(kind: .group, subscriber: "c a b"), "subscriber"),
            (Self.subscribe(kind: .group, subscriber: String(repeating: "a", count: 65)), "subscriber"),
            (Self.subscribe(pattern: "rollout*"), "eventPattern"),
            (Self.subscribe(channel: .unknown("sms")), "channel"),
            (Self.subscribe(key: "REL-42"), "releaseKey"),
            (Self.subscribe(key: "rel-000042"), "releaseKey"),
            (Self.subscribe(type: "huge"), "releaseType"),
            (Self.subscribe(priority: "urgent"), "priority"),
            (Self.subscribe(site: ""), "site"),
            (Self.subscribe(site: String(repeating: "s", count: 101)), "site"),
            (Self.subscribe(site: "FRA\n1"), "site"),
        ]
        for (command, field) in cases {
            #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(command) } == field, "\(command)")
        }
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(Self.subscribe(kind: .group, subscriber: String(repeating: "a", count: 64))) } == nil)
    }

    @Test func siteContactsAreNamesOrGroupsAtMost100() throws {
        let checked = try NotificationCommandRules.checked(SetSiteContacts(site: "FRA1", members: [" Sam ", "group:Site-Ops", "sam"]))
        #expect(checked.members == ["sam", "group:site-ops"])
        #expect(try NotificationCommandRules.checked(SetSiteContacts(site: "FRA1", members: [])).members.isEmpty)
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SetSiteContacts(site: "FRA1", members: (0...100).map { "p\($0)" }))
        } == "members")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SetSiteContacts(site: "FRA1", members: ["sam", "group:bad group"]))
        } == "members/1")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SetSiteContacts(site: "\u{7F}", members: ["sam"]))
        } == "site")
    }

    @Test func idsAreUUIDsAtMost1000() {
        let id = "1f2e3d4c-0000-4000-8000-000000000000"
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(Unsubscribe(id: id)) } == nil)
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(Unsubscribe(id: "42")) } == "id")
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: [id])) } == nil)
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: [], all: true)) } == nil)
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: [])) } == "ids")
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: [id], all: true)) } == "ids")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: Array(repeating: id, count: 1_001)))
        } == "ids")
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(MarkNotificationsRead(ids: [id, "x"])) } == "ids/1")
    }

    @Test func preferencesNeedAKnownModeAndAGoodKey() {
        #expect(Self.refusedField { () throws(CommandError) in _ = try NotificationCommandRules.checked(SetNotificationPreference(releaseKey: nil, mode: .digest)) } == nil)
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SetNotificationPreference(releaseKey: "REL-000042", mode: .unknown("weekly")))
        } == "mode")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SetNotificationPreference(releaseKey: "REL-00004x", mode: .mute))
        } == "releaseKey")
    }

    @Test func templatesNeedATypeAKnownChannelAndToCompile() {
        let good = NotificationTemplateText(subject: "{{release.key}}", text: "{{payload.reason}}")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SaveNotificationTemplate(eventType: "briefing", channel: .inApp, template: good))
        } == nil)
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SaveNotificationTemplate(eventType: "Release", channel: .inApp, template: good))
        } == "eventType")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SaveNotificationTemplate(eventType: "briefing", channel: .unknown("fax"), template: good))
        } == "channel")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(SaveNotificationTemplate(
                eventType: "briefing", channel: .chat, template: NotificationTemplateText(subject: "s", text: "t", html: "<p>")))
        } == "template.html")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(PreviewNotificationTemplate(eventType: "briefing", channel: .email, eventId: "nope"))
        } == "eventId")
        #expect(Self.refusedField { () throws(CommandError) in
            _ = try NotificationCommandRules.checked(PreviewNotificationTemplate(
                eventType: "briefing", channel: .email, template: NotificationTemplateText(subject: "", text: "t")))
        } == "template.subject")
    }
}
