import Contracts
import Foundation

/// What a template renders from, as JSON (so it is `Sendable` and easy to show in a preview):
///
/// | name | what |
/// |---|---|
/// | `event` | `id`, `type`, `actor`, `occurredAt` (ISO 8601), `time` (`2025-06-01 14:05 UTC`) |
/// | `release` | `key`, `title`, `type`, `priority`, `phase`, `status`, `requester`, `coordinator`, `scheduledStart`, `sites`, `sitesText` |
/// | `recipient` | `name`, `displayName` |
/// | `links` | `release`, `approval`, `feed` |
/// | `payload` | the event's payload (bounded: ``TemplateValues``) |
/// | `joined` | each payload list of texts joined with `, ` (`joined.warnings`) |
/// | `approval` | `group`, `link` — only when the event asks for an approval |
/// | `tasks` | the tasks the event made ready: `key`, `assignee`, `link` |
/// | `briefing` | `subject`, `body` — a communication plan's scheduled message |
/// | `digest` | `count`, `items` (`subject`, `release`, `time`) — the daily digest |
///
/// Every value from an event is bounded before it gets here; a missing one renders nothing.
public struct TemplateContext: Sendable, Equatable {
    public var values: [String: JSONValue]
    /// Keys (release, task) in links and names are cut here: a real key is far shorter.
    static let maxKey = 100

    public init(values: [String: JSONValue]) {
        self.values = values
    }

    /// The context of one event for one recipient.
    public init(event: EventFacts, release: ReleaseFacts?, recipient: Person, links: NotificationLinks) {
        let payload = TemplateValues.bounded(event.payload)
        var values = Self.common(releaseKey: event.releaseKey.map { TemplateValues.boundedText($0, limit: Self.maxKey) }, release: release, recipient: recipient, links: links)
        values["event"] = .object([
            "id": .string(event.id.uuidString.lowercased()), "type": .string(TemplateValues.boundedText(event.type)),
            "actor": .string(TemplateValues.boundedText(event.actor)), "occurredAt": .string(Self.iso8601(event.occurredAt)),
            "time": .string(Self.readable(event.occurredAt)),
        ])
        values["payload"] = payload
        // A key from an event is bounded before it becomes part of a link.
        let releaseKey = event.releaseKey.map { TemplateValues.boundedText($0, limit: Self.maxKey) }
        values["joined"] = Self.joinedLists(of: payload)
        if let key = releaseKey, let group = DefaultSubscriptions.approvalGroup(of: event, release: release) {
            values["approval"] = .object(["group": .string(TemplateValues.boundedText(group)), "link": .string(links.approval(key))])
        }
        if let key = releaseKey {
            let ready = DefaultSubscriptions.readyTasks(in: event).prefix(TemplateValues.maxMembers)
                .map { TemplateValues.boundedText($0, limit: Self.maxKey) }
            let assignees = DefaultSubscriptions.namedAssignees(in: event)
            values["tasks"] = .array(ready.map { task in
                var entry: [String: JSONValue] = [
                    "key": .string(TemplateValues.boundedText(task)), "link": .string(links.task(key, task: task)),
                ]
                entry["assignee"] = assignees[task].map { .string(TemplateValues.boundedText($0)) }
                return .object(entry)
            })
        }
        self.values = values
    }

    /// The context of one event for one recipient, with `extra` values notify composed itself
    /// (`briefing`, `digest`) on top, bounded by ``TemplateValues/Bounds/composed``.
    public static func build(
        event: EventFacts, release: ReleaseFacts?, recipient: Person, links: NotificationLinks, extra: [String: JSONValue]
    ) -> TemplateContext {
        var context = TemplateContext(event: event, release: release, recipient: recipient, links: links)
        for (key, value) in extra {
            context.values[key] = TemplateValues.bounded(value, bounds: .composed)
        }
        return context
    }

    /// A scheduled message of a release's communication plan: its subject and its Markdown text.
    public static func briefing(
        subject: String, body: String, releaseKey: String, release: ReleaseFacts?, recipient: Person, links: NotificationLinks
    ) -> TemplateContext {
        var values = common(releaseKey: releaseKey, release: release, recipient: recipient, links: links)
        values["briefing"] = .object([
            "subject": .string(TemplateValues.boundedText(subject, limit: 200)),
            "body": .string(TemplateValues.boundedText(body, limit: TemplateCheck.maxTextBytes / 2)),
        ])
        return TemplateContext(values: values)
    }

    /// One entry of a daily digest.
    public struct DigestItem: Sendable, Equatable {
        public var subject: String
        public var releaseKey: String?
        public var occurredAt: Date

        public init(subject: String, releaseKey: String?, occurredAt: Date) {
            self.subject = subject
            self.releaseKey = releaseKey
            self.occurredAt = occurredAt
        }
    }

    /// The daily digest: many notifications in one message, oldest first.
    public static func digest(items: [DigestItem], recipient: Person, links: NotificationLinks) -> TemplateContext {
        var values = common(releaseKey: nil, release: nil, recipient: recipient, links: links)
        let listed = items.sorted { $0.occurredAt < $1.occurredAt }.prefix(500).map { item -> JSONValue in
            var entry: [String: JSONValue] = [
                "subject": .string(TemplateValues.boundedText(item.subject, limit: 200)),
                "time": .string(readable(item.occurredAt)),
            ]
            entry["release"] = item.releaseKey.map { .string(TemplateValues.boundedText($0, limit: 40)) }
            entry["link"] = item.releaseKey.map { .string(links.release($0)) }
            return .object(entry)
        }
        values["digest"] = .object(["count": .number(Double(items.count)), "items": .array(listed)])
        return TemplateContext(values: values)
    }

    /// What every context has: the recipient, the release (or only its key) and the links.
    private static func common(releaseKey: String?, release: ReleaseFacts?, recipient: Person, links: NotificationLinks) -> [String: JSONValue] {
        var values: [String: JSONValue] = [
            "recipient": .object([
                "name": .string(TemplateValues.boundedText(recipient.name)),
                "displayName": .string(TemplateValues.boundedText(recipient.displayName)),
            ])
        ]
        var linkValues: [String: JSONValue] = ["feed": .string(links.feed)]
        if let key = release?.key ?? releaseKey {
            linkValues["release"] = .string(links.release(key))
            linkValues["approval"] = .string(links.approval(key))
            values["release"] = release.map(releaseValues) ?? .object(["key": .string(TemplateValues.boundedText(key))])
        }
        values["links"] = .object(linkValues)
        return values
    }

    private static func releaseValues(_ release: ReleaseFacts) -> JSONValue {
        let text = { (value: String) in JSONValue.string(TemplateValues.boundedText(value)) }
        var values: [String: JSONValue] = [
            "key": text(release.key), "title": text(release.title), "type": text(release.type), "phase": text(release.phase),
            "status": text(release.status), "requester": text(release.requester),
            "sites": .array(release.sites.prefix(TemplateValues.maxMembers).map(text)),
            "sitesText": text(release.sites.joined(separator: ", ")),
        ]
        values["priority"] = release.priority.map(text)
        values["coordinator"] = release.coordinator.map(text)
        values["scheduledStart"] = release.scheduledStart.map { .string(readable($0)) }
        return .object(values)
    }

    /// Each top-level payload list of plain values as one line (`a, b, c`), and each object of
    /// plain values as `name: value` pairs (`backed_out: 2, succeeded: 10`), for templates that
    /// mention them in a sentence.
    private static func joinedLists(of payload: JSONValue) -> JSONValue {
        guard case .object(let members) = payload else { return .object([:]) }
        var joined: [String: JSONValue] = [:]
        for (key, value) in members {
            let texts: [String]
            switch value {
            case .array(let items): texts = items.compactMap(plainText)
            case .object(let fields): texts = fields.keys.sorted().compactMap { name in plainText(fields[name]!).map { "\(name): \($0)" } }
            default: texts = []
            }
            if !texts.isEmpty { joined[key] = .string(TemplateValues.boundedText(texts.joined(separator: ", "))) }
        }
        return .object(joined)
    }

    private static func plainText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text.isEmpty ? nil : text
        case .number(let number): TemplateValues.mustacheValue(.number(number)).map { "\($0)" }
        case .bool(let flag): String(flag)
        case .null, .array, .object: nil
        }
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2025-06-01 14:05 UTC`: what a person reads in a message (the ISO form is there too).
    static func readable(_ date: Date) -> String {
        let iso = iso8601(date)  // 2025-06-01T14:05:09Z
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC"
    }
}
