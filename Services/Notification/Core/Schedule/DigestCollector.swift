import Contracts
import Foundation
import Postgres

/// A person who chose a daily digest gets one message per channel a day, at `hourUTC`,
/// listing what waited (`digest` deliveries, then `digested`). One replica collects at a
/// time (a transaction-scoped advisory lock), so a waiting item is in exactly one digest.
struct DigestCollector: Sendable {
    let schemas: NotifySchemas
    let composer: MessageComposer
    let hourUTC: Int

    /// The latest digest time at or before `now`.
    func cutoff(now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.date(bySettingHour: hourUTC, minute: 0, second: 0, of: now)!
        return today <= now ? today : today.addingTimeInterval(-86_400)
    }

    func collect(now: Date, in transaction: PostgresTransaction) async throws {
        let lock = try await transaction.query(
            "SELECT pg_try_advisory_xact_lock(hashtext(\(schemas.notify + ".digest")))", label: "digest lock"
        ).single().decode(Bool.self)
        guard lock else { return }
        let cutoff = cutoff(now: now)
        let items = try await transaction.query(
            """
            UPDATE \(identifier: schemas.notify).deliveries SET state = 'digested'
            WHERE state = 'digest' AND created_at < \(cutoff)
            RETURNING recipient, channel, subject, coalesce(release_key, ''), created_at
            """, label: "take digest items"
        ).map { try $0.decode((String, String, String, String, Date).self) }
        guard !items.isEmpty else { return }
        let day = ISO8601DateFormatter().string(from: cutoff).prefix(10)
        let byRecipient = Dictionary(grouping: items) { "\($0.0)\n\($0.1)" }
        let people = try await DirectoryReader(schemas: schemas).people(Array(Set(items.map(\.0))), in: transaction)
        var deliveries: [NewDelivery] = []
        for key in byRecipient.keys.sorted() {
            let group = byRecipient[key]!.sorted { $0.4 < $1.4 }
            let (recipient, channelName) = (group[0].0, group[0].1)
            let channel = NotificationChannel(rawValue: channelName)
            let list: [JSONValue] = group.map { item in
                .object(["subject": .string(item.2), "release": .string(item.3), "time": .string(ISO8601DateFormatter().string(from: item.4))])
            }
            let event = EventFacts(
                id: UUID(), type: "digest", releaseKey: nil, actor: "shipboard-notify", occurredAt: now,
                payload: .object(["count": .number(Double(group.count)), "day": .string(String(day))]))
            deliveries += try await composer.render(
                [PlannedDelivery(recipient: recipient, channel: channel, reason: "daily digest", timing: .now)],
                source: "digest:\(recipient):\(day)", eventId: nil, event: event, release: nil, people: people,
                extra: ["digest": .object(["items": .array(list), "count": .number(Double(group.count)), "day": .string(String(day))])],
                in: transaction)
        }
        if try await DeliveryStore(schema: schemas.notify).insert(deliveries, in: transaction) > 0 {
            try await transaction.notify(channel: EventIntake.wakeChannel(schema: schemas.notify), payload: "")
        }
    }
}
