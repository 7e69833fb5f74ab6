import Foundation

/// The envelope without its payload: decoded first to find the handler for `type` and
/// `version` (the payload's shape depends on them). Its fields and their limits are the
/// ``Envelope``'s: a header that decodes names a message every consumer can log and answer.
public struct EnvelopeHeader: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var correlationId: String
    public var causationId: UUID?
    public var actor: String
    /// When the sender stops waiting; see ``Envelope/deadline``.
    public var deadline: Date?
    /// The audit chain head an event carries; see ``Envelope/auditHead``.
    public var auditHead: AuditHead?

    private enum CodingKeys: String, CodingKey {
        case id, type, version, occurredAt, correlationId, causationId, actor, deadline, auditHead
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        type = try container.decodeLimited(.type, bytes: EnvelopeLimits.typeBytes)
        version = try container.decode(Int.self, forKey: .version)
        occurredAt = try container.decode(Date.self, forKey: .occurredAt)
        correlationId = try container.decodeLimited(.correlationId, bytes: EnvelopeLimits.correlationIdBytes)
        causationId = try container.decodeIfPresent(UUID.self, forKey: .causationId)
        actor = try container.decodeLimited(.actor, bytes: EnvelopeLimits.actorBytes)
        deadline = try container.decodeIfPresent(Date.self, forKey: .deadline)
        auditHead = try container.decodeIfPresent(AuditHead.self, forKey: .auditHead)
    }

    /// True when the envelope has a deadline and it is not after `now`: the sender has given up.
    public func isPastDeadline(at now: Date) -> Bool {
        guard let deadline else { return false }
        return deadline <= now
    }
}
