import Contracts
import Foundation
import Postgres

/// A release's delivery log, a person's in-app feed and a release's communication plan, each
/// in one statement. The log never shows the whole URL of a webhook or chat address
/// (``DeliveryAddress``); the feed shows only the caller's own notifications.
extension NotificationQueries {
    /// The release's deliveries matching `filter`, oldest first, one page (the caller has
    /// checked that the release exists). An export asks with no limit and gets up to 10,000.
    public func deliveries(of releaseKey: String, _ filter: DeliveryFilter) async throws -> DeliveryPage {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'id', d.id, 'eventType', d.event_type, 'recipient', d.recipient, 'channel', d.channel, 'address', d.address,
              'reason', d.reason, 'state', d.state, 'attempts', d.attempts, 'lastError', d.last_error,
              'createdAt', to_char(d.created_at AT TIME ZONE 'UTC', \(format)),
              'sentAt', to_char(d.sent_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY d.created_at, d.id), '[]')::text
            FROM (SELECT * FROM \(identifier: schema).deliveries
                  WHERE release_key = \(releaseKey)
                    AND (\(filter.state)::text IS NULL OR state = \(filter.state)::text)
                    AND (\(filter.channel)::text IS NULL OR channel = \(filter.channel)::text)
                    AND (\(filter.recipient)::text IS NULL OR recipient = \(filter.recipient)::text)
                    AND (\(filter.after)::uuid IS NULL OR (created_at, id) > (
                         SELECT created_at, id FROM \(identifier: schema).deliveries WHERE id = \(filter.after)::uuid))
                  ORDER BY created_at, id LIMIT \(filter.limit + 1)) d
            """)
        var items = try StoredJSON.decode([DeliveryView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
        let more = items.count > filter.limit
        items = Array(items.prefix(filter.limit))
        for index in items.indices {
            items[index].address = DeliveryAddress.shown(channel: items[index].channel, address: items[index].address)
        }
        return DeliveryPage(items: items, nextCursor: more ? items.last?.id : nil)
    }

    /// `person`'s in-app notifications, newest first, a page of `limit` after `cursor`.
    public func feed(of person: String, unreadOnly: Bool, limit: Int, cursor: String?) async throws -> FeedPage {
        guard DeliveryFilter.limits.contains(limit) else {
            throw CommandError(.validation, "limit must be 1 to 200", rule: "requests.limit", fields: ["limit": "must be 1 to 200"])
        }
        let after = try DeliveryFilter.cursor(cursor)
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'id', d.id, 'eventType', d.event_type, 'releaseKey', d.release_key, 'subject', d.subject, 'text', d.body_text,
              'createdAt', to_char(d.created_at AT TIME ZONE 'UTC', \(format)), 'read', d.read_at IS NOT NULL,
              'readAt', to_char(d.read_at AT TIME ZONE 'UTC', \(format)))
              ORDER BY d.created_at DESC, d.id DESC), '[]')::text,
              (SELECT count(*) FROM \(identifier: schema).deliveries
               WHERE recipient = \(person) AND channel = 'in_app' AND read_at IS NULL)
            FROM (SELECT * FROM \(identifier: schema).deliveries
                  WHERE recipient = \(person) AND channel = 'in_app'
                    AND (NOT \(unreadOnly)::boolean OR read_at IS NULL)
                    AND (\(after)::uuid IS NULL OR (created_at, id) < (
                         SELECT created_at, id FROM \(identifier: schema).deliveries WHERE id = \(after)::uuid))
                  ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)) d
            """)
        let row = try rows.first.orThrow()
        let items = try StoredJSON.decode([FeedItemView].self, from: row.decode(at: 0, as: String.self))
        let page = Array(items.prefix(limit))
        return FeedPage(
            items: page, unread: Int(try row.decode(at: 1, as: Int64.self)), nextCursor: items.count > limit ? page.last?.id : nil)
    }

    /// The release's scheduled sends: the current ones by due time (those waiting for an
    /// outcome after them), then those a newer plan superseded.
    public func plan(of releaseKey: String) async throws -> [ScheduledSendView] {
        let format = StoredJSON.utcTimestamp
        let rows = try await pool.query(
            """
            SELECT coalesce(json_agg(json_build_object(
              'id', id, 'subject', subject, 'audiences', to_json(audiences), 'offsetSeconds', offset_seconds, 'outcome', outcome,
              'dueAt', to_char(due_at AT TIME ZONE 'UTC', \(format)), 'state', state,
              'firedAt', to_char(fired_at AT TIME ZONE 'UTC', \(format)), 'imageSha256', image_sha256)
              ORDER BY state = 'superseded', due_at NULLS LAST, entry_index, id), '[]')::text
            FROM \(identifier: schema).scheduled_sends WHERE release_key = \(releaseKey)
            """)
        return try StoredJSON.decode([ScheduledSendView].self, from: rows.first.orThrow().decode(at: 0, as: String.self))
    }
}
