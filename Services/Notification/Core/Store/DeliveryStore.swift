import Contracts
import Foundation
import Postgres

/// `<notify>.deliveries`: one row per (source, recipient, channel), recorded before it is
/// attempted and after. The state machine:
///
/// - `pending` (due at `next_attempt_at`) → claimed: `sending`, attempts + 1, a lease;
///   committed BEFORE the send, so a replica killed mid-send leaves a lease that expires and
///   the row is claimed again (the retry carries the same id, the receivers' idempotency key);
/// - after the attempt: `sent`, or `pending` again with a backoff, or `failed` at the last try;
///   an outcome is recorded only by the attempt that holds the row (same attempt number), so
///   a late answer after the lease expired changes nothing;
/// - in-app deliveries are the feed itself: `sent` when recorded;
/// - `digest`: waiting for the person's daily digest, then `digested`.
public struct DeliveryStore: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// Records `deliveries`; a (source, recipient, channel) recorded before is left alone.
    /// Returns how many were new.
    @discardableResult
    public func insert(_ deliveries: [NewDelivery], in transaction: PostgresTransaction) async throws -> Int {
        guard !deliveries.isEmpty else { return 0 }
        let results = try await transaction.query(batch: deliveries.map { delivery in
            let state = delivery.inDigest ? "digest" : (delivery.channel == .inApp ? "sent" : "pending")
            return (
                """
                INSERT INTO \(identifier: schema).deliveries
                  (id, source, event_id, release_key, event_type, recipient, channel, address, reason, subject, body_text, body_html,
                   state, sent_at)
                VALUES (\(UUID()), \(delivery.source), \(delivery.eventId), \(delivery.releaseKey), \(delivery.eventType),
                        \(delivery.recipient), \(delivery.channel.rawValue), \(delivery.address), \(delivery.reason),
                        \(delivery.message.subject), \(delivery.message.text), \(delivery.message.html), \(state),
                        \(state == "sent" ? Date() : nil))
                ON CONFLICT (source, recipient, channel) DO NOTHING
                """, "record delivery")
        })
        return results.reduce(0) { $0 + ($1.affectedRows ?? 0) }
    }

    /// A delivery claimed for one attempt.
    public struct Claimed: Sendable, Equatable {
        public var id: UUID
        public var attempt: Int
        public var eventId: UUID?
        public var releaseKey: String?
        public var eventType: String
        public var recipient: String
        public var channel: NotificationChannel
        public var address: String
        public var subject: String
        public var text: String
        public var html: String?
        public var createdAt: Date
    }

    /// How many more sends each endpoint may take now: `free` for the endpoints with sends in
    /// flight (0: full), `perEndpoint` for the rest. Keys are `EndpointGate.endpoint`'s, which
    /// `claimDue` computes the same way in SQL.
    public struct EndpointSlots: Sendable, Equatable {
        public var perEndpoint: Int
        public var free: [String: Int]

        public init(perEndpoint: Int, free: [String: Int] = [:]) {
            self.perEndpoint = perEndpoint
            self.free = free
        }
    }

    /// Claims up to `limit` due deliveries (pending and due, or sending with an expired lease)
    /// for `lease`, oldest first, at most each endpoint's free slots (so a busy endpoint's rows
    /// stay for later instead of being claimed and put back), skipping rows another replica holds.
    public func claimDue(
        limit: Int, lease: Duration, slots: EndpointSlots, in transaction: PostgresTransaction
    ) async throws -> [Claimed] {
        let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        let endpoints = slots.free.keys.sorted()
        // Row locks cannot be taken beside a window function: the inner query ranks the oldest
        // due rows per endpoint, the outer one locks those within their endpoint's slots.
        return try await transaction.query(
            """
            UPDATE \(identifier: schema).deliveries d
            SET state = 'sending', attempts = d.attempts + 1, lease_until = now() + make_interval(secs => \(leaseSeconds))
            FROM (
                SELECT id FROM \(identifier: schema).deliveries
                WHERE id IN (
                    SELECT ranked.id FROM (
                        SELECT id, row_number() OVER (PARTITION BY endpoint ORDER BY next_attempt_at) AS rank, endpoint
                        FROM (
                            SELECT id, next_attempt_at,
                                   CASE WHEN channel IN ('webhook', 'chat') THEN lower(substring(address FROM '^[A-Za-z]+://([^/?#]+)'))
                                        ELSE channel END AS endpoint
                            FROM \(identifier: schema).deliveries
                            WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'sending' AND lease_until < now())
                            ORDER BY next_attempt_at
                            LIMIT \(limit * 20)
                        ) oldest
                    ) ranked
                    LEFT JOIN unnest(\(bind: PostgresArrayBind.texts(endpoints)),
                                     \(bind: PostgresArrayBind.int32s(endpoints.map { Int32(clamping: slots.free[$0]!) }))) AS f(endpoint, free)
                      ON f.endpoint = ranked.endpoint
                    WHERE ranked.rank <= coalesce(f.free, \(slots.perEndpoint))
                )
                ORDER BY next_attempt_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ) due
            WHERE d.id = due.id
            RETURNING d.id, d.attempts, d.event_id, d.release_key, d.event_type, d.recipient, d.channel, coalesce(d.address, ''),
                      d.subject, d.body_text, d.body_html, d.created_at
            """, label: "claim due deliveries"
        ).map { row in
            let (id, attempt, eventId, release, type, recipient, channel, address, subject, text, html, created) = try row.decode(
                (UUID, Int, UUID?, String?, String, String, String, String, String, String, String?, Date).self)
            return Claimed(
                id: id, attempt: attempt, eventId: eventId, releaseKey: release, eventType: type, recipient: recipient,
                channel: NotificationChannel(rawValue: channel), address: address, subject: subject, text: text, html: html,
                createdAt: created)
        }
    }

    /// What became of one attempt.
    public enum Outcome: Sendable, Equatable {
        case sent
        case retry(after: Duration, reason: String)
        case failed(reason: String)
    }

    /// Records the outcome of `attempt` of `id`; false when the row has moved on (the lease
    /// expired and another attempt holds it), so the caller publishes nothing.
    public func record(
        _ outcome: Outcome, id: UUID, attempt: Int, in transaction: PostgresTransaction
    ) async throws -> Bool {
        let rows: PostgresRows
        switch outcome {
        case .sent:
            rows = try await transaction.query(
                """
                UPDATE \(identifier: schema).deliveries SET state = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL
                WHERE id = \(id) AND attempts = \(attempt) AND state = 'sending'
                """, label: "record sent")
        case .retry(let delay, let reason):
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            rows = try await transaction.query(
                """
                UPDATE \(identifier: schema).deliveries
                SET state = 'pending', lease_until = NULL, last_error = \(Self.bounded(reason)),
                    next_attempt_at = now() + make_interval(secs => \(seconds))
                WHERE id = \(id) AND attempts = \(attempt) AND state = 'sending'
                """, label: "record retry")
        case .failed(let reason):
            rows = try await transaction.query(
                """
                UPDATE \(identifier: schema).deliveries SET state = 'failed', lease_until = NULL, last_error = \(Self.bounded(reason))
                WHERE id = \(id) AND attempts = \(attempt) AND state = 'sending'
                """, label: "record failure")
        }
        return rows.affectedRows == 1
    }

    /// Puts a claimed delivery back without counting the attempt (its endpoint was busy).
    public func putBack(id: UUID, attempt: Int, after delay: Duration, in transaction: PostgresTransaction) async throws {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        try await transaction.query(
            """
            UPDATE \(identifier: schema).deliveries
            SET state = 'pending', attempts = attempts - 1, lease_until = NULL, next_attempt_at = now() + make_interval(secs => \(seconds))
            WHERE id = \(id) AND attempts = \(attempt) AND state = 'sending'
            """, label: "put delivery back")
    }

    /// The earliest time a delivery is due (to sleep until), if any is waiting.
    public func nextDue(in transaction: PostgresTransaction) async throws -> Date? {
        try await transaction.query(
            """
            SELECT min(CASE WHEN state = 'pending' THEN next_attempt_at ELSE lease_until END)
            FROM \(identifier: schema).deliveries WHERE state IN ('pending', 'sending')
            """, label: "next due delivery"
        ).first?.decode(Date?.self) ?? nil
    }

    static func bounded(_ reason: String) -> String {
        String(reason.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" }.map(Character.init).prefix(1000))
    }
}
