import Foundation

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
    /// When the sender stops waiting; see ``Envelope/deadline``.
    public var deadline: Date?

    /// True when the envelope has a deadline and it is not after `now`: the sender has given up.
    public func isPastDeadline(at now: Date) -> Bool {
        guard let deadline else { return false }
        return deadline <= now
    }
}
