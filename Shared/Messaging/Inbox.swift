import Foundation
import Postgres

/// Records which messages a consumer has handled, in the handler's own transaction.
///
/// The insert of `(consumer, message id)` and the handler's writes commit together, so a
/// redelivered or republished message finds its row and has no second effect. Two
/// deliveries of one message at the same moment serialize on the primary key: the second
/// waits for the first to commit, then sees the row.
public struct Inbox: Sendable {
    public let schema: String
    /// The consumer's name, usually its queue: one message may be handled once per consumer.
    public let consumer: String

    public init(schema: String, consumer: String) {
        self.schema = schema
        self.consumer = consumer
    }

    /// What happened to a message.
    public enum Outcome<Result: Sendable>: Sendable {
        /// The handler ran and its transaction committed.
        case handled(Result)
        /// The message was handled before; `reply` is what was stored for it (commands).
        case duplicate(reply: Data?)
    }

    /// Claims `messageID` inside `transaction`; false when it was claimed before.
    public func claim(_ messageID: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        let rows = try await transaction.query(claimQuery(messageID), label: "inbox claim")
        return (rows.affectedRows ?? 0) == 1
    }

    /// The claim: one row, or nothing when the message was claimed before.
    private func claimQuery(_ messageID: UUID) -> PostgresQuery {
        """
        INSERT INTO \(identifier: schema).inbox (consumer, message_id) VALUES (\(consumer), \(messageID))
        ON CONFLICT (consumer, message_id) DO NOTHING
        """
    }

    /// Thrown (inside a ``PostgresTransactionError``) when a queued claim finds the message
    /// handled before.
    public struct AlreadyClaimed: Error {}

    /// ``claim(_:in:)`` queued (``PostgresTransaction/enqueue(_:label:check:)``): it goes out
    /// with the handler's first statement, a round trip fewer per message. A message claimed
    /// before makes that statement fail with ``AlreadyClaimed``, and the transaction cannot
    /// commit: its handler's reads ran, but nothing it wrote stays.
    public func claimQueued(_ messageID: UUID, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            claimQuery(messageID), label: "inbox claim",
            check: { rows in guard rows.affectedRows == 1 else { throw AlreadyClaimed() } })
    }

    /// Whether `error` is a queued claim's finding that the message was handled before.
    public static func isAlreadyClaimed(_ error: any Error) -> Bool {
        (error as? PostgresTransactionError)?.underlying is AlreadyClaimed
    }

    /// Stores the reply sent for a command, so a repeated request gets the same one.
    public func storeReply(_ reply: Data, for messageID: UUID, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            "UPDATE \(identifier: schema).inbox SET reply = \(reply) WHERE consumer = \(consumer) AND message_id = \(messageID)",
            label: "inbox reply")
    }

    /// The stored reply of a message handled before.
    public func storedReply(for messageID: UUID, in transaction: PostgresTransaction) async throws -> Data? {
        let rows = try await transaction.query(
            "SELECT reply FROM \(identifier: schema).inbox WHERE consumer = \(consumer) AND message_id = \(messageID)",
            label: "inbox stored reply")
        return try rows.first?.decode(at: 0, as: Data?.self) ?? nil
    }

    /// Deletes rows older than `retention` (the window in which duplicates are recognised).
    @discardableResult
    public func prune(olderThan retention: Duration, pool: PostgresPool) async throws -> Int {
        let seconds = Int(retention.components.seconds)
        let result = try await pool.query(
            """
            DELETE FROM \(identifier: schema).inbox
            WHERE consumer = \(consumer) AND received_at < now() - make_interval(secs => \(seconds))
            """)
        return result.affectedRows ?? 0
    }
}
