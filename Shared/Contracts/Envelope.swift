import Foundation

/// Every message on the wire: commands, events and replies.
///
/// `correlationId` is the release key (or another aggregate id) the message belongs to;
/// `causationId` is the id of the message that caused this one. Contracts change
/// additively: decoders ignore unknown fields, so a newer sender does not break an
/// older receiver.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var correlationId: String
    public var causationId: UUID?
    /// Who caused the message: a user name, or `service:<name>` for automation.
    public var actor: String
    public var payload: Payload

    public init(
        id: UUID = UUID(), type: String, version: Int = 1, occurredAt: Date = Date(),
        correlationId: String, causationId: UUID? = nil, actor: String, payload: Payload
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.occurredAt = occurredAt
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.payload = payload
    }
}

extension Envelope where Payload: MessageContract {
    /// An envelope for a contract message; type and version come from the contract.
    public init(
        _ payload: Payload, correlationId: String, actor: String, causationId: UUID? = nil,
        id: UUID = UUID(), occurredAt: Date = Date()
    ) {
        self.init(
            id: id, type: Payload.messageType, version: Payload.version, occurredAt: occurredAt,
            correlationId: correlationId, causationId: causationId, actor: actor, payload: payload)
    }
}

/// The envelope without its payload: decoded first to find the handler for `type` and
/// `version` (the payload's shape depends on them).
public struct EnvelopeHeader: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var correlationId: String
    public var causationId: UUID?
    public var actor: String
}
