import Foundation

/// Every message on the wire: commands, events and replies.
///
/// `correlationId` is the release key (or another aggregate id) the message belongs to;
/// `causationId` is the id of the message that caused this one. Contracts change
/// additively: decoders ignore unknown fields, so a newer sender does not break an
/// older receiver.
///
/// `deadline` is the time after which the sender no longer waits for the outcome: request/reply
/// commands carry it, and a receiver does not execute a command whose deadline has passed. It is
/// encoded only when set, so envelopes without one look as they always did.
///
/// Decoding enforces ``EnvelopeLimits`` on `type`, `correlationId` and `actor` (they travel as
/// AMQP properties and log fields): a violation is a `DecodingError` naming the field.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var correlationId: String
    public var causationId: UUID?
    /// Who caused the message: a user name, or `service:<name>` for automation.
    public var actor: String
    /// When the sender stops waiting for the outcome; nil for events and fire-and-forget commands.
    public var deadline: Date?
    /// For an event that an audit entry records: the head of that entry's chain (see ``AuditHead``).
    public var auditHead: AuditHead?
    public var payload: Payload

    public init(
        id: UUID = UUID(), type: String, version: Int = 1, occurredAt: Date = Date(),
        correlationId: String, causationId: UUID? = nil, actor: String, deadline: Date? = nil, auditHead: AuditHead? = nil,
        payload: Payload
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.occurredAt = occurredAt
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.deadline = deadline
        self.auditHead = auditHead
        self.payload = payload
    }

    private enum CodingKeys: String, CodingKey {
        case id, type, version, occurredAt, correlationId, causationId, actor, deadline, auditHead, payload
    }

    /// The header's fields with their limits (one decoder for both), then the payload.
    public init(from decoder: any Decoder) throws {
        let header = try EnvelopeHeader(from: decoder)
        let payload = try decoder.container(keyedBy: CodingKeys.self).decode(Payload.self, forKey: .payload)
        self.init(
            id: header.id, type: header.type, version: header.version, occurredAt: header.occurredAt,
            correlationId: header.correlationId, causationId: header.causationId, actor: header.actor,
            deadline: header.deadline, auditHead: header.auditHead, payload: payload)
    }
}

extension Envelope where Payload: MessageContract {
    /// An envelope for a contract message; type and version come from the contract.
    public init(
        _ payload: Payload, correlationId: String, actor: String, causationId: UUID? = nil,
        id: UUID = UUID(), occurredAt: Date = Date(), deadline: Date? = nil
    ) {
        self.init(
            id: id, type: Payload.messageType, version: Payload.version, occurredAt: occurredAt,
            correlationId: correlationId, causationId: causationId, actor: actor, deadline: deadline, payload: payload)
    }
}

extension Envelope {
    /// The envelope in `body` whose header a consumer already decoded (to find the handler):
    /// only the payload is decoded again, and the header's fields come from `header`.
    public init(header: EnvelopeHeader, body: Data) throws {
        let payload = try ContractCoding.decode(PayloadOnly.self, from: body).payload
        self.init(
            id: header.id, type: header.type, version: header.version, occurredAt: header.occurredAt,
            correlationId: header.correlationId, causationId: header.causationId, actor: header.actor,
            deadline: header.deadline, auditHead: header.auditHead, payload: payload)
    }

    /// The `payload` member alone; the decoder skips the others.
    private struct PayloadOnly: Decodable {
        let payload: Payload
    }
}
