import Contracts
import Foundation

/// The field rules of the notify commands, checked by the gateway before a command is sent
/// and by shipboard-notify again when it arrives (one check, two callers). Each refusal is a
/// validation ``CommandError`` naming the field and the rule (`notify.<field>`); the value
/// itself is not repeated. A check returns the command with its names normalised (trimmed,
/// lower-cased), which is what the service stores.
/// (`checked(_:)` has one overload per command.)
///
/// Whether the actor may do it (subscribing someone else, another person's subscription) is
/// the handler's: it needs the directory.
public enum NotificationCommandRules {
    public static let maxMembers = 100
    public static let maxIds = 1_000
    public static let maxSite = 100
    public static let maxReleaseKey = 40

    @discardableResult
    public static func checked(_ command: Subscribe) throws(CommandError) -> Subscribe {
        var checked = command
        try known(command.subscriberKind, field: "subscriberKind")
        checked.subscriber = try subscriber(command.subscriber, kind: command.subscriberKind, field: "subscriber")
        if let problem = EventPattern.problem(command.eventPattern) {
            throw refusal("eventPattern", problem, rule: "notify.event_pattern")
        }
        try known(command.channel, field: "channel")
        if let key = command.releaseKey { try releaseKey(key, field: "releaseKey") }
        if let type = command.releaseType, !ReleaseType(rawValue: type).isKnown {
            throw refusal("releaseType", "must be one of \(names(ReleaseType.allCases))", rule: "notify.release_type")
        }
        if let priority = command.priority, !Priority(rawValue: priority).isKnown {
            throw refusal("priority", "must be one of \(names(Priority.allCases))", rule: "notify.priority")
        }
        if let site = command.site { try ShortText.check(site, field: "site", max: maxSite, rule: "notify.site") }
        return checked
    }

    @discardableResult
    public static func checked(_ command: Unsubscribe) throws(CommandError) -> Unsubscribe {
        try uuid(command.id, field: "id")
        return command
    }

    @discardableResult
    public static func checked(_ command: SetNotificationPreference) throws(CommandError) -> SetNotificationPreference {
        if let key = command.releaseKey { try releaseKey(key, field: "releaseKey") }
        try known(command.mode, field: "mode")
        return command
    }

    @discardableResult
    public static func checked(_ command: SetSiteContacts) throws(CommandError) -> SetSiteContacts {
        try ShortText.check(command.site, field: "site", max: maxSite, rule: "notify.site")
        guard command.members.count <= maxMembers else {
            throw refusal("members", "must list at most \(maxMembers) people or groups", rule: "notify.members")
        }
        var members: [String] = []
        for (index, member) in command.members.enumerated() {
            let field = "members/\(index)"
            let normalized = PersonName.normalized(member)
            if normalized.hasPrefix(PersonName.groupPrefix) {
                let group = try subscriber(String(normalized.dropFirst(PersonName.groupPrefix.count)), kind: .group, field: field)
                members.append(PersonName.groupPrefix + group)
            } else {
                members.append(try subscriber(normalized, kind: .person, field: field))
            }
        }
        var seen: Set<String> = []
        return SetSiteContacts(site: command.site, members: members.filter { seen.insert($0).inserted })
    }

    @discardableResult
    public static func checked(_ command: SaveNotificationTemplate) throws(CommandError) -> SaveNotificationTemplate {
        try templateTarget(eventType: command.eventType, channel: command.channel)
        try template(command.template, channel: command.channel)
        return command
    }

    @discardableResult
    public static func checked(_ command: PreviewNotificationTemplate) throws(CommandError) -> PreviewNotificationTemplate {
        try templateTarget(eventType: command.eventType, channel: command.channel)
        if let template = command.template { try self.template(template, channel: command.channel) }
        if let id = command.eventId { try uuid(id, field: "eventId") }
        return command
    }

    @discardableResult
    public static func checked(_ command: MarkNotificationsRead) throws(CommandError) -> MarkNotificationsRead {
        let all = command.all ?? false
        if all, !command.ids.isEmpty {
            throw refusal("ids", "must be left empty when all is true", rule: "notify.ids")
        }
        guard all || (1...maxIds).contains(command.ids.count) else {
            throw refusal("ids", "must list 1 to \(maxIds) notification ids, or set all", rule: "notify.ids")
        }
        for (index, id) in command.ids.enumerated() { try uuid(id, field: "ids/\(index)") }
        return command
    }

    /// A release key as planning writes it: `REL-` and at least six digits, at most 40 characters.
    public static func releaseKeyProblem(_ key: String) -> String? {
        let digits = key.utf8.dropFirst(4)
        let fine = key.hasPrefix("REL-") && key.utf8.count <= maxReleaseKey && digits.count >= 6
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return fine ? nil : "must be a release key such as REL-000123"
    }

    // MARK: - Field rules

    private static func subscriber(_ name: String, kind: SubscriberKind, field: String) throws(CommandError) -> String {
        let normalized = PersonName.normalized(name)
        let problem = kind == .group ? PersonName.groupProblem(normalized) : PersonName.problem(normalized)
        if let problem { throw refusal(field, problem, rule: kind == .group ? "notify.group" : "notify.person") }
        return normalized
    }

    private static func releaseKey(_ key: String, field: String) throws(CommandError) {
        if let problem = releaseKeyProblem(key) { throw refusal(field, problem, rule: "notify.release_key") }
    }

    private static func uuid(_ id: String, field: String) throws(CommandError) {
        guard id.utf8.count == 36, UUID(uuidString: id) != nil else {
            throw refusal(field, "must be an id such as 1f2e3d4c-0000-4000-8000-000000000000", rule: "notify.id")
        }
    }

    private static func known<Value: ContractEnum>(_ value: Value, field: String) throws(CommandError) {
        guard value.isKnown else {
            throw refusal(field, "must be one of \(names(Value.allCases))", rule: "notify.\(snakeCased(field))")
        }
    }

    private static func templateTarget(eventType: String, channel: NotificationChannel) throws(CommandError) {
        if let problem = EventPattern.problem(eventType) { throw refusal("eventType", problem, rule: "notify.event_type") }
        try known(channel, field: "channel")
    }

    private static func template(_ template: NotificationTemplateText, channel: NotificationChannel) throws(CommandError) {
        do {
            try TemplateCheck.check(template, channel: channel)
        } catch {
            throw refusal("template.\(error.part.rawValue)", error.detail, rule: "notify.template")
        }
    }

    private static func names<Value: ContractEnum>(_ values: [Value]) -> String {
        values.map(\.rawValue).joined(separator: ", ")
    }

    private static func snakeCased(_ field: String) -> String {
        field.unicodeScalars.map { $0.properties.isUppercase ? "_" + String($0).lowercased() : String($0) }.joined()
    }

    private static func refusal(_ field: String, _ problem: String, rule: String) -> CommandError {
        CommandError(.validation, "\(field) \(problem)", rule: rule, fields: [field: problem])
    }
}
