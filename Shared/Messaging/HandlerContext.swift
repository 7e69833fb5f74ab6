import Contracts
import Foundation
import Logging
import Postgres

/// What a handler gets besides its message: the transaction its writes must use (the
/// same one that records the message in the inbox), and the outbox for what it causes.
public struct HandlerContext: Sendable {
    public let transaction: PostgresTransaction
    public let outbox: Outbox
    /// The message being handled.
    public let header: EnvelopeHeader
    /// 1 for the first try; higher after handler failures (retries).
    public let attempt: Int
    public let redelivered: Bool
    public let logger: Logger

    /// Publishes an event caused by this message, in this transaction (sent after commit).
    /// `auditHead` is the head of the audit chain after the entry that records the event.
    public func publish<Event: EventContract>(
        _ event: Event, correlationId: String? = nil, auditHead: AuditHead? = nil
    ) async throws {
        var envelope = Envelope(
            event, correlationId: correlationId ?? header.correlationId, actor: header.actor, causationId: header.id)
        envelope.auditHead = auditHead
        try await outbox.publish(envelope, in: transaction)
    }

    /// Publishes several events caused by this message in one round trip, in order;
    /// `auditHeads[i]` (when given) goes with `events[i]`.
    public func publish(
        _ events: [any EventContract], correlationId: String? = nil, auditHeads: [AuditHead] = []
    ) async throws {
        func envelope<Event: EventContract>(_ event: Event, _ index: Int) -> any OutboxEventEnvelope {
            var envelope = Envelope(
                event, correlationId: correlationId ?? header.correlationId, actor: header.actor, causationId: header.id)
            envelope.auditHead = auditHeads.indices.contains(index) ? auditHeads[index] : nil
            return envelope
        }
        var envelopes: [any OutboxEventEnvelope] = []
        for (index, event) in events.enumerated() { envelopes.append(envelope(event, index)) }
        try await outbox.publish(envelopes, in: transaction)
    }

    /// Sends a command to another service, caused by this message, in this transaction.
    public func send<Command: CommandContract>(_ command: Command, correlationId: String? = nil) async throws {
        let envelope = Envelope(
            command, correlationId: correlationId ?? header.correlationId, actor: header.actor, causationId: header.id)
        try await outbox.send(envelope, in: transaction)
    }
}
