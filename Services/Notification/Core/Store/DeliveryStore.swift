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
        /// Where the send goes (the `endpoint` column, see migration 0021): the unit of the
        /// dispatcher's per-endpoint bounds.
        public var endpoint: String

        public init(
            id: UUID, attempt: Int, eventId: UUID?, releaseKey: String?, eventType: String, recipient: String,
            channel: NotificationChannel, address: String, subject: String, text: String, html: String?, createdAt: Date,
            endpoint: String
        ) {
            self.id = id
            self.attempt = attempt
            self.eventId = eventId
            self.releaseKey = releaseKey
            self.eventType = eventType
            self.recipient = recipient
            self.channel = channel
            self.address = address
            self.subject = subject
            self.text = text
            self.html = html
            self.createdAt = createdAt
            self.endpoint = endpoint
        }
    }

    /// How many more rows each endpoint may take now: `free` for the endpoints this replica
    /// holds deliveries for (0: full), `perEndpoint` for the rest.
    public struct EndpointSlots: Sendable, Equatable {
        public var perEndpoint: Int
        public var free: [String: Int]

        public init(perEndpoint: Int, free: [String: Int] = [:]) {
            self.perEndpoint = perEndpoint
            self.free = free
        }
    }

    /// Claims up to `limit` due deliveries (pending and due, or sending with an expired lease)
    /// for `lease`, oldest first, at most each endpoint's free places, skipping rows another
    /// replica holds. Each endpoint's rows are read through its own index range, only as many
    /// as it has places: a full endpoint's backlog is never read, and never hides another's.
    public func claimDue(
        limit: Int, lease: Duration, slots: EndpointSlots, in transaction: PostgresTransaction
    ) async throws -> [Claimed] {
        guard limit > 0 else { return [] }
        let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        let endpoints = slots.free.keys.sorted()
        return try await transaction.query(
            """
            WITH RECURSIVE endpoints(endpoint) AS (
                (SELECT endpoint FROM \(identifier: schema).deliveries WHERE state IN ('pending', 'sending') ORDER BY endpoint LIMIT 1)
                UNION ALL
                SELECT (SELECT n.endpoint FROM \(identifier: schema).deliveries n
                        WHERE n.state IN ('pending', 'sending') AND n.endpoint > e.endpoint ORDER BY n.endpoint LIMIT 1)
                FROM endpoints e WHERE e.endpoint IS NOT NULL
            ), places AS (
                SELECT e.endpoint, coalesce(f.free, \(slots.perEndpoint)) AS free
                FROM endpoints e
                LEFT JOIN unnest(\(bind: PostgresArrayBind.texts(endpoints)),
                                 \(bind: PostgresArrayBind.int32s(endpoints.map { Int32(clamping: slots.free[$0]!) }))) AS f(endpoint, free)
                  ON f.endpoint = e.endpoint
                WHERE e.endpoint IS NOT NULL AND coalesce(f.free, \(slots.perEndpoint)) > 0
            ), due AS (
                SELECT c.id FROM places p
                CROSS JOIN LATERAL (
                    SELECT id, next_attempt_at FROM \(identifier: schema).deliveries
                    WHERE endpoint = p.endpoint AND state IN ('pending', 'sending')
                      AND ((state = 'pending' AND next_attempt_at <= now()) OR (state = 'sending' AND lease_until < now()))
                    ORDER BY endpoint, next_attempt_at
                    LIMIT p.free
                    FOR UPDATE SKIP LOCKED
                ) c
                ORDER BY c.next_attempt_at
                LIMIT \(limit)
            )
            UPDATE \(identifier: schema).deliveries d
            SET state = 'sending', attempts = d.attempts + 1, lease_until = now() + make_interval(secs => \(leaseSeconds))
            FROM due
            WHERE d.id = due.id
            RETURNING d.id, d.attempts, d.event_id, d.release_key, d.event_type, d.recipient, d.channel, coalesce(d.address, ''),
                      d.subject, d.body_text, d.body_html, d.created_at, d.endpoint
            """, label: "claim due deliveries"
        ).map { row in
            let (id, attempt, eventId, release, type, recipient, channel, address, subject, text, html, created, endpoint) = try row.decode(
                (UUID, Int, UUID?, String?, String, String, String, String, String, String, String?, Date, String).self)
            return Claimed(
                id: id, attempt: attempt, eventId: eventId, releaseKey: release, eventType: type, recipient: recipient,
                channel: NotificationChannel(rawValue: channel), address: address, subject: subject, text: text, html: html,
                createdAt: created, endpoint: endpoint)
        }
    }

    /// What became of one attempt.
    public enum Outcome: Sendable, Equatable {
        case sent
        case retry(after: Duration, reason: String)
        case failed(reason: String)
    }

    /// One attempt's outcome, to record.
    public struct AttemptOutcome: Sendable, Equatable {
        public var id: UUID
        public var attempt: Int
        public var outcome: Outcome

        public init(id: UUID, attempt: Int, outcome: Outcome) {
            self.id = id
            self.attempt = attempt
            self.outcome = outcome
        }
    }

    /// Records attempts' outcomes in one statement; returns the ids recorded. An outcome is
    /// recorded only by the attempt that holds the row (same attempt number, still
    /// `sending`): one whose lease expired and was claimed again changes nothing, so the
    /// caller announces nothing for it.
    public func record(_ outcomes: [AttemptOutcome], in transaction: PostgresTransaction) async throws -> Set<UUID> {
        guard !outcomes.isEmpty else { return [] }
        var states: [String] = [], errors: [String] = [], delays: [Int64] = []
        for item in outcomes {
            switch item.outcome {
            case .sent:
                states.append("sent"); errors.append(""); delays.append(0)
            case .retry(let delay, let reason):
                states.append("pending"); errors.append(Self.bounded(reason)); delays.append(Int64(delay / .milliseconds(1)))
            case .failed(let reason):
                states.append("failed"); errors.append(Self.bounded(reason)); delays.append(0)
            }
        }
        let rows = try await transaction.query(
            """
            UPDATE \(identifier: schema).deliveries d
            SET state = o.state, lease_until = NULL, last_error = nullif(o.error, ''),
                sent_at = CASE WHEN o.state = 'sent' THEN now() ELSE d.sent_at END,
                next_attempt_at = CASE WHEN o.state = 'pending' THEN now() + make_interval(secs => o.delay_ms / 1000.0)
                                       ELSE d.next_attempt_at END
            FROM unnest(\(bind: PostgresArrayBind.uuids(outcomes.map(\.id))),
                        \(bind: PostgresArrayBind.int32s(outcomes.map { Int32(clamping: $0.attempt) })),
                        \(bind: PostgresArrayBind.texts(states)), \(bind: PostgresArrayBind.texts(errors)),
                        \(bind: PostgresArrayBind.int64s(delays))) AS o(id, attempt, state, error, delay_ms)
            WHERE d.id = o.id AND d.attempts = o.attempt AND d.state = 'sending'
            RETURNING d.id
            """, label: "record delivery outcomes")
        return Set(try rows.map { try $0.decode(UUID.self) })
    }

    /// Puts claimed deliveries back without counting their attempts (they were not sent:
    /// they waited too long for their endpoint), due again after `delay`.
    public func putBack(
        _ deliveries: [(id: UUID, attempt: Int)], after delay: Duration, in transaction: PostgresTransaction
    ) async throws {
        guard !deliveries.isEmpty else { return }
        try await transaction.query(
            """
            UPDATE \(identifier: schema).deliveries d
            SET state = 'pending', attempts = d.attempts - 1, lease_until = NULL,
                next_attempt_at = now() + make_interval(secs => \(delay / .milliseconds(1)) / 1000.0)
            FROM unnest(\(bind: PostgresArrayBind.uuids(deliveries.map(\.id))),
                        \(bind: PostgresArrayBind.int32s(deliveries.map { Int32(clamping: $0.attempt) }))) AS b(id, attempt)
            WHERE d.id = b.id AND d.attempts = b.attempt AND d.state = 'sending'
            """, label: "put deliveries back")
    }

    static func bounded(_ reason: String) -> String {
        String(reason.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" }.map(Character.init).prefix(1000))
    }
}
