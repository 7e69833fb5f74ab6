import Foundation
import Images
import Postgres

/// `<notify>.communication_plans` and `<notify>.scheduled_sends`: the plan of every built
/// image, and the messages of the accepted image's plan, due at an offset from the
/// deployment's start (following it when it moves) or on a rollout outcome.
public struct ScheduledSendStore: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// One message of a plan, as stored.
    public struct Send: Sendable, Equatable {
        public var id: UUID
        public var releaseKey: String
        public var subject: String
        public var audiences: [String]
        public var offsetSeconds: Int?
        public var outcome: String?
        public var dueAt: Date?
    }

    public func keepPlan(releaseKey: String, imageSHA256: String, text: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).communication_plans (release_key, image_sha256, plan_text)
            VALUES (\(releaseKey), \(imageSHA256), \(text)) ON CONFLICT DO NOTHING
            """, label: "keep communication plan")
    }

    public func planText(releaseKey: String, imageSHA256: String, in transaction: PostgresTransaction) async throws -> String? {
        try await transaction.query(
            """
            SELECT plan_text FROM \(identifier: schema).communication_plans
            WHERE release_key = \(releaseKey) AND image_sha256 = \(imageSHA256)
            """, label: "read communication plan"
        ).first?.decode(String.self)
    }

    /// The Markdown of the plan whose messages are scheduled now (the accepted image's).
    public func currentPlanBody(releaseKey: String, in transaction: PostgresTransaction) async throws -> String? {
        guard let text = try await transaction.query(
            """
            SELECT p.plan_text FROM \(identifier: schema).scheduled_sends s
              JOIN \(identifier: schema).communication_plans p ON p.release_key = s.release_key AND p.image_sha256 = s.image_sha256
            WHERE s.release_key = \(releaseKey) AND s.state <> 'superseded'
            ORDER BY s.created_at DESC LIMIT 1
            """, label: "read current plan"
        ).first?.decode(String.self) else { return nil }
        return (try? PlanDocument(parsing: text))?.body
    }

    /// Schedules the plan of the accepted image: earlier plans' unsent messages are superseded;
    /// the same plan scheduled again (a redelivered acceptance) adds nothing.
    public func schedule(
        _ plan: PlanDocument, releaseKey: String, imageSHA256: String, start: Date?, in transaction: PostgresTransaction
    ) async throws {
        try await transaction.query(
            """
            UPDATE \(identifier: schema).scheduled_sends SET state = 'superseded'
            WHERE release_key = \(releaseKey) AND image_sha256 <> \(imageSHA256) AND state = 'scheduled'
            """, label: "supersede earlier plan")
        for (index, entry) in plan.schedule.enumerated() {
            var offset: Int?
            var outcome: String?
            switch entry.moment {
            case .offset(let seconds): offset = seconds
            case .outcome(let name): outcome = name
            }
            let due = offset.flatMap { seconds in start.map { $0.addingTimeInterval(TimeInterval(seconds)) } }
            try await transaction.query(
                """
                INSERT INTO \(identifier: schema).scheduled_sends
                  (id, release_key, image_sha256, entry_index, offset_seconds, outcome, subject, audiences, due_at)
                VALUES (\(UUID()), \(releaseKey), \(imageSHA256), \(index), \(offset), \(outcome), \(entry.subject),
                        \(bind: PostgresArrayBind.texts(entry.audiences)), \(due))
                ON CONFLICT (release_key, image_sha256, entry_index) DO NOTHING
                """, label: "schedule plan message")
        }
    }

    /// Moves the offset messages still to send with the deployment's start (none known: not due).
    public func follow(releaseKey: String, start: Date?, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            UPDATE \(identifier: schema).scheduled_sends
            SET due_at = \(start) + make_interval(secs => offset_seconds)
            WHERE release_key = \(releaseKey) AND state = 'scheduled' AND offset_seconds IS NOT NULL
              AND due_at IS DISTINCT FROM \(start) + make_interval(secs => offset_seconds)
            """, label: "follow the deployment start")
    }

    /// A cancelled or rejected release sends nothing more.
    public func cancel(releaseKey: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            UPDATE \(identifier: schema).scheduled_sends SET state = 'cancelled'
            WHERE release_key = \(releaseKey) AND state = 'scheduled'
            """, label: "cancel scheduled sends")
    }

    /// Takes the messages due now (offset messages whose time has come, or the release's
    /// messages for `outcome`), marking them sent; rows another replica holds are skipped.
    public func takeDue(
        outcome: (releaseKey: String, name: String)? = nil, limit: Int = 50, in transaction: PostgresTransaction
    ) async throws -> [Send] {
        let rows = if let outcome {
            try await transaction.query(
                """
                UPDATE \(identifier: schema).scheduled_sends s SET state = 'sent', fired_at = now()
                FROM (SELECT id FROM \(identifier: schema).scheduled_sends
                      WHERE release_key = \(outcome.releaseKey) AND outcome = \(outcome.name) AND state = 'scheduled'
                      FOR UPDATE SKIP LOCKED) due
                WHERE s.id = due.id
                RETURNING s.id, s.release_key, s.subject, array_to_string(s.audiences, ','), s.offset_seconds, s.outcome, s.due_at
                """, label: "take outcome messages")
        } else {
            try await transaction.query(
                """
                UPDATE \(identifier: schema).scheduled_sends s SET state = 'sent', fired_at = now()
                FROM (SELECT id FROM \(identifier: schema).scheduled_sends
                      WHERE state = 'scheduled' AND due_at <= now() ORDER BY due_at LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED) due
                WHERE s.id = due.id
                RETURNING s.id, s.release_key, s.subject, array_to_string(s.audiences, ','), s.offset_seconds, s.outcome, s.due_at
                """, label: "take due messages")
        }
        return try rows.map { row in
            let (id, release, subject, audiences, offset, outcome, due) = try row.decode(
                (UUID, String, String, String, Int?, String?, Date?).self)
            return Send(
                id: id, releaseKey: release, subject: subject, audiences: audiences.split(separator: ",").map(String.init),
                offsetSeconds: offset, outcome: outcome, dueAt: due)
        }
    }

    /// The earliest due time of a scheduled message.
    public func nextDue(in transaction: PostgresTransaction) async throws -> Date? {
        try await transaction.query(
            "SELECT min(due_at) FROM \(identifier: schema).scheduled_sends WHERE state = 'scheduled'", label: "next scheduled send"
        ).first?.decode(Date?.self) ?? nil
    }
}
