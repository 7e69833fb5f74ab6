import Contracts
import Foundation
import Postgres

/// Read-only queries over shipboard-notify's tables (`notify.*`) for the gateway: who speaks
/// for a site, subscriptions, preferences and templates. Each answer is one statement; every
/// value is bound. The delivery log, the feed and the plan are in `+Deliveries`.
public struct NotificationQueries: Sendable {
    /// The most subscriptions one listing shows.
    public static let subscriptionLimit = 1000

    public let schema: String
    /// Planning's schema, where approver groups and their members live (one directory).
    public let planningSchema: String
    public let pool: PostgresPool

    public init(schema: String = "notify", planningSchema: String = "planning", pool: PostgresPool) {
        self.schema = schema
        self.planningSchema = planningSchema
        self.pool = pool
    }

    /// The site's contacts, by name (none: an empty list; sites are the CIs', not notify's).
    public func siteContacts(_ site: String) async throws -> SiteContactsView {
        try ShortText.check(site, field: "site", max: 100, rule: "notify.site")
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'member', member, 'addedBy', added_by, 'addedAt', to_char(added_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY member), '[]')::text
            FROM \(identifier: schema).site_contacts WHERE site = \(site)
            """)
        let members = try StoredJSON.decode([SiteContactsView.Member].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
        return SiteContactsView(site: site, members: members)
    }

    /// The subscriptions of `person` and of the approver groups they belong to, oldest first.
    public func subscriptions(visibleTo person: String) async throws -> [SubscriptionView] {
        try await selectSubscriptions(visibleTo: person, kind: nil, name: nil)
    }

    /// The subscriptions of one subscriber: a person, or `group:<name>`.
    public func subscriptions(of subscriber: String) async throws -> [SubscriptionView] {
        let (kind, name) = try Self.subscriber(subscriber)
        return try await selectSubscriptions(visibleTo: nil, kind: kind, name: name)
    }

    /// Who a subscription is for, or nil when none has `id`.
    public func subscriber(ofSubscription id: UUID) async throws -> (kind: String, name: String)? {
        let rows = try await pool.query(
            "SELECT subscriber_kind, subscriber FROM \(identifier: schema).subscriptions WHERE id = \(id)")
        return try rows.first.map { try $0.decode((String, String).self) }
    }

    /// The person's preferences: every release (`releaseKey` absent) first, then by release.
    public func preferences(of person: String) async throws -> [PreferenceView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'releaseKey', nullif(release_key, ''), 'mode', mode, 'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY release_key), '[]')::text
            FROM \(identifier: schema).preferences WHERE person = \(person)
            """)
        return try StoredJSON.decode([PreferenceView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }

    /// Every stored template, by event type and channel.
    public func templates() async throws -> [TemplateSummaryView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'eventType', event_type, 'channel', channel, 'revision', revision, 'updatedBy', updated_by,
              'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY event_type, channel), '[]')::text
            FROM \(identifier: schema).templates
            """)
        return try StoredJSON.decode([TemplateSummaryView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }

    /// The stored template of (event type, channel), or nil.
    public func template(eventType: String, channel: String) async throws -> TemplateView? {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT json_build_object(
              'eventType', event_type, 'channel', channel, 'subject', subject, 'text', text_body, 'html', html_body,
              'builtIn', false, 'revision', revision, 'updatedBy', updated_by,
              'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', \(format)))::text
            FROM \(identifier: schema).templates WHERE event_type = \(eventType) AND channel = \(channel)
            """)
        return try rows.first.map { try StoredJSON.decode(TemplateView.self, from: $0.decode(at: 0, as: String.self)) }
    }

    /// Those visible to a person (theirs and their groups'), or those of one subscriber.
    private func selectSubscriptions(visibleTo person: String?, kind: String?, name: String?) async throws -> [SubscriptionView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'id', id, 'subscriberKind', subscriber_kind, 'subscriber', subscriber, 'eventPattern', event_pattern,
              'channel', channel, 'releaseKey', release_key, 'releaseType', release_type, 'priority', priority, 'site', site,
              'createdBy', created_by, 'createdAt', to_char(created_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY created_at, id), '[]')::text
            FROM (SELECT * FROM \(identifier: schema).subscriptions
                  WHERE (subscriber_kind = 'person' AND subscriber = \(person)::text)
                     OR (subscriber_kind = 'group' AND subscriber IN (
                         SELECT group_name FROM \(identifier: planningSchema).approver_group_members WHERE member = \(person)::text))
                     OR (subscriber_kind = \(kind)::text AND subscriber = \(name)::text)
                  ORDER BY created_at, id LIMIT \(Self.subscriptionLimit)) s
            """)
        return try StoredJSON.decode([SubscriptionView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }

    /// `group:<name>` is a group; anything else a person (normalised as every stored name).
    public static func subscriber(_ text: String) throws(CommandError) -> (kind: String, name: String) {
        try ShortText.check(text, field: "subscriber", max: 210, rule: "notify.subscriber")
        if text.hasPrefix("group:") { return ("group", String(text.dropFirst("group:".count))) }
        return ("person", text.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
