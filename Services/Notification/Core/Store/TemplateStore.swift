import Contracts
import Foundation
import Postgres

/// `<notify>.templates`: a saved template replaces the built-in one of (event type, channel).
public struct TemplateStore: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The saved template, else the built-in one.
    public func template(
        eventType: String, channel: NotificationChannel, in transaction: PostgresTransaction
    ) async throws -> NotificationTemplateText {
        try await saved(eventType: eventType, channel: channel, in: transaction)
            ?? DefaultTemplates.template(eventType: eventType, channel: channel)
    }

    public func saved(
        eventType: String, channel: NotificationChannel, in transaction: PostgresTransaction
    ) async throws -> NotificationTemplateText? {
        try await transaction.query(
            """
            SELECT subject, text_body, html_body FROM \(identifier: schema).templates
            WHERE event_type = \(eventType) AND channel = \(channel.rawValue)
            """, label: "read template"
        ).first.map { row in
            let (subject, text, html) = try row.decode((String, String, String?).self)
            return NotificationTemplateText(subject: subject, text: text, html: html)
        }
    }

    /// Saves a checked template; returns its revision.
    public func save(
        _ template: NotificationTemplateText, eventType: String, channel: NotificationChannel, by actor: String,
        in transaction: PostgresTransaction
    ) async throws -> Int {
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).templates (event_type, channel, subject, text_body, html_body, updated_by)
            VALUES (\(eventType), \(channel.rawValue), \(template.subject), \(template.text), \(template.html), \(actor))
            ON CONFLICT (event_type, channel) DO UPDATE
            SET subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body,
                revision = \(identifier: schema).templates.revision + 1, updated_by = excluded.updated_by, updated_at = now()
            RETURNING revision
            """, label: "save template"
        ).single().decode(Int.self)
    }
}
