import Contracts
import Foundation
import Messaging
import Postgres

/// notify's commands. Field rules are `NotificationCommandRules` (the gateway checks the same
/// first); who may do what is checked here again against the directory's roles: a person
/// manages their own subscriptions and preferences; others' subscriptions, groups, site
/// contacts and templates take a release manager or an admin.
public struct NotifyCommandHandlers: Sendable {
    let schemas: NotifySchemas
    let links: NotificationLinks

    public init(schemas: NotifySchemas, links: NotificationLinks) {
        self.schemas = schemas
        self.links = links
    }

    public func register(into handlers: inout MessageHandlers) {
        handlers.onCommand(Subscribe.self) { try await subscribe($0, $1.transaction) }
        handlers.onCommand(Unsubscribe.self) { try await unsubscribe($0, $1.transaction) }
        handlers.onCommand(SetNotificationPreference.self) { try await setPreference($0, $1.transaction) }
        handlers.onCommand(SetSiteContacts.self) { try await setSiteContacts($0, $1.transaction) }
        handlers.onCommand(SaveNotificationTemplate.self) { try await saveTemplate($0, $1.transaction) }
        handlers.onCommand(PreviewNotificationTemplate.self) { try await preview($0, $1.transaction) }
        handlers.onCommand(MarkNotificationsRead.self) { try await markRead($0, $1.transaction) }
    }

    static let managers: Set<String> = ["admin", "release_manager"]

    /// True when `actor` is a release manager or an admin in the directory.
    func isManager(_ actor: String, _ transaction: PostgresTransaction) async throws -> Bool {
        let roles = try await transaction.query(
            """
            SELECT array_to_string(roles, ',') FROM \(identifier: schemas.gateway).users WHERE name = \(actor) AND NOT disabled
            """, label: "read actor roles"
        ).first?.decode(String.self) ?? ""
        return !Self.managers.isDisjoint(with: roles.split(separator: ",").map(String.init))
    }

    func requireManager(_ actor: String, _ what: String, _ transaction: PostgresTransaction) async throws {
        guard try await isManager(actor, transaction) else {
            throw CommandError(.forbidden, "\(what) takes a release manager or an admin", rule: "notify.manager_only")
        }
    }

    func subscribe(_ envelope: Envelope<Subscribe>, _ transaction: PostgresTransaction) async throws -> SubscriptionSaved {
        let command = try NotificationCommandRules.checked(envelope.payload)
        if command.subscriberKind == .group || command.subscriber != envelope.actor {
            try await requireManager(envelope.actor, "subscribing someone else or a group", transaction)
        }
        let id = UUID()
        let rows = try await transaction.query(
            """
            INSERT INTO \(identifier: schemas.notify).subscriptions
              (id, subscriber_kind, subscriber, event_pattern, channel, release_key, release_type, priority, site, created_by)
            VALUES (\(id), \(command.subscriberKind.rawValue), \(command.subscriber), \(command.eventPattern), \(command.channel.rawValue),
                    \(command.releaseKey), \(command.releaseType), \(command.priority), \(command.site), \(envelope.actor))
            ON CONFLICT DO NOTHING RETURNING id
            """, label: "save subscription")
        if rows.first != nil { return SubscriptionSaved(id: id.uuidString.lowercased(), existing: false) }
        let existing = try await transaction.query(
            """
            SELECT id FROM \(identifier: schemas.notify).subscriptions
            WHERE subscriber_kind = \(command.subscriberKind.rawValue) AND subscriber = \(command.subscriber)
              AND event_pattern = \(command.eventPattern) AND channel = \(command.channel.rawValue)
              AND release_key IS NOT DISTINCT FROM \(command.releaseKey) AND release_type IS NOT DISTINCT FROM \(command.releaseType)
              AND priority IS NOT DISTINCT FROM \(command.priority) AND site IS NOT DISTINCT FROM \(command.site)
            """, label: "find identical subscription"
        ).single().decode(UUID.self)
        return SubscriptionSaved(id: existing.uuidString.lowercased(), existing: true)
    }

    func unsubscribe(_ envelope: Envelope<Unsubscribe>, _ transaction: PostgresTransaction) async throws -> Acknowledged {
        let command = try NotificationCommandRules.checked(envelope.payload)
        guard let id = UUID(uuidString: command.id), let row = try await transaction.query(
            """
            SELECT subscriber_kind, subscriber FROM \(identifier: schemas.notify).subscriptions WHERE id = \(id) FOR UPDATE
            """, label: "find subscription"
        ).first else {
            throw CommandError(.notFound, "there is no subscription \(command.id)")
        }
        let (kind, subscriber) = try row.decode((String, String).self)
        if kind != "person" || subscriber != envelope.actor {
            try await requireManager(envelope.actor, "removing someone else's subscription", transaction)
        }
        try await transaction.query("DELETE FROM \(identifier: schemas.notify).subscriptions WHERE id = \(id)", label: "delete subscription")
        return Acknowledged()
    }

    func setPreference(_ envelope: Envelope<SetNotificationPreference>, _ transaction: PostgresTransaction) async throws -> Acknowledged {
        let command = try NotificationCommandRules.checked(envelope.payload)
        try await transaction.query(
            """
            INSERT INTO \(identifier: schemas.notify).preferences (person, release_key, mode)
            VALUES (\(envelope.actor), \(command.releaseKey ?? ""), \(command.mode.rawValue))
            ON CONFLICT (person, release_key) DO UPDATE SET mode = excluded.mode, updated_at = now()
            """, label: "save preference")
        return Acknowledged()
    }

    func setSiteContacts(_ envelope: Envelope<SetSiteContacts>, _ transaction: PostgresTransaction) async throws -> Acknowledged {
        let command = try NotificationCommandRules.checked(envelope.payload)
        try await requireManager(envelope.actor, "naming site contacts", transaction)
        try await transaction.query(
            "DELETE FROM \(identifier: schemas.notify).site_contacts WHERE site = \(command.site)", label: "clear site contacts")
        for member in command.members {
            try await transaction.query(
                """
                INSERT INTO \(identifier: schemas.notify).site_contacts (site, member, added_by)
                VALUES (\(command.site), \(member), \(envelope.actor)) ON CONFLICT DO NOTHING
                """, label: "add site contact")
        }
        return Acknowledged()
    }

    func saveTemplate(_ envelope: Envelope<SaveNotificationTemplate>, _ transaction: PostgresTransaction) async throws -> TemplateSaved {
        let command = try NotificationCommandRules.checked(envelope.payload)
        try await requireManager(envelope.actor, "changing a template", transaction)
        do {
            try TemplateCheck.check(command.template, channel: command.channel)
        } catch {
            throw CommandError(.validation, "the template does not compile: \(error)", rule: "notify.template_compiles")
        }
        let revision = try await TemplateStore(schema: schemas.notify).save(
            command.template, eventType: command.eventType, channel: command.channel, by: envelope.actor, in: transaction)
        return TemplateSaved(revision: revision)
    }

    func preview(_ envelope: Envelope<PreviewNotificationTemplate>, _ transaction: PostgresTransaction) async throws -> TemplatePreview {
        let command = try NotificationCommandRules.checked(envelope.payload)
        let templates = TemplateStore(schema: schemas.notify)
        let template: NotificationTemplateText
        if let given = command.template {
            do {
                try TemplateCheck.check(given, channel: command.channel)
            } catch {
                throw CommandError(.validation, "the template does not compile: \(error)", rule: "notify.template_compiles")
            }
            template = given
        } else {
            template = try await templates.template(eventType: command.eventType, channel: command.channel, in: transaction)
        }
        guard let event = try await EventStore(schema: schemas.notify).find(
            id: command.eventId.flatMap(UUID.init(uuidString:)), type: command.eventType, in: transaction)
        else {
            throw CommandError(.notFound, "no stored \(command.eventType) event to preview against\(command.eventId.map { " (\($0))" } ?? "")")
        }
        let directory = DirectoryReader(schemas: schemas)
        let release = try await event.releaseKey.asyncMap { try await directory.release($0, in: transaction) } ?? nil
        let person = try await directory.people([envelope.actor], in: transaction)[envelope.actor]
            ?? Person(name: envelope.actor, displayName: envelope.actor, contacts: [:])
        let rendered = TemplateRenderer.render(
            template, channel: command.channel, context: TemplateContext.build(event: event, release: release, recipient: person, links: links, extra: [:]))
        return TemplatePreview(eventId: event.id.uuidString.lowercased(), subject: rendered.subject, text: rendered.text, html: rendered.html)
    }

    func markRead(_ envelope: Envelope<MarkNotificationsRead>, _ transaction: PostgresTransaction) async throws -> NotificationsMarked {
        let command = try NotificationCommandRules.checked(envelope.payload)
        let rows = if command.all == true {
            try await transaction.query(
                """
                UPDATE \(identifier: schemas.notify).deliveries SET read_at = now()
                WHERE recipient = \(envelope.actor) AND channel = 'in_app' AND read_at IS NULL
                """, label: "mark all read")
        } else {
            try await transaction.query(
                """
                UPDATE \(identifier: schemas.notify).deliveries SET read_at = now()
                WHERE id = ANY(\(bind: PostgresArrayBind.uuids(command.ids.compactMap(UUID.init(uuidString:)))))
                  AND recipient = \(envelope.actor) AND channel = 'in_app' AND read_at IS NULL
                """, label: "mark read")
        }
        return NotificationsMarked(marked: rows.affectedRows ?? 0)
    }
}
