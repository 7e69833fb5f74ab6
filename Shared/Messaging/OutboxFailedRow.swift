import Foundation

/// An outbox row the relay gave up on, as an operator sees it (no body, no header values).
public struct OutboxFailedRow: Sendable, Equatable, Codable {
    /// Its place in the outbox (commit order per correlation id).
    public var seq: Int64
    public var messageID: UUID
    public var type: String
    public var correlationId: String
    public var exchange: String
    public var routingKey: String
    /// Publish attempts that failed because of the row itself.
    public var attempts: Int
    /// Why the last attempt failed (the client's or broker's reason).
    public var lastError: String
    public var failedAt: Date

    public init(
        seq: Int64, messageID: UUID, type: String, correlationId: String, exchange: String, routingKey: String,
        attempts: Int, lastError: String, failedAt: Date
    ) {
        self.seq = seq
        self.messageID = messageID
        self.type = type
        self.correlationId = correlationId
        self.exchange = exchange
        self.routingKey = routingKey
        self.attempts = attempts
        self.lastError = lastError
        self.failedAt = failedAt
    }
}
