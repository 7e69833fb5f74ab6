import Contracts
import Foundation

/// What a listing of a release's delivery log asks for, checked before any SQL: a state, a
/// channel and a recipient to match, a page size, and the delivery the previous page ended at.
public struct DeliveryFilter: Sendable, Equatable {
    public static let limits = 1...200
    /// The most rows an export carries.
    public static let exportLimit = 10_000
    static let states: Set<String> = ["pending", "sending", "sent", "failed", "digest", "digested"]
    static let channels: Set<String> = ["email", "webhook", "chat", "in_app"]

    public var state: String?
    public var channel: String?
    public var recipient: String?
    public var limit: Int
    public var after: UUID?

    /// `limit` nil: an export (every match up to ``exportLimit``, no cursor).
    public init(
        state: String? = nil, channel: String? = nil, recipient: String? = nil, limit: Int? = 50, cursor: String? = nil
    ) throws(CommandError) {
        if let state, !Self.states.contains(state) {
            throw CommandError(.validation, "state is not a delivery state", rule: "notify.delivery_filter", fields: ["state": "is unknown"])
        }
        if let channel, !Self.channels.contains(channel) {
            throw CommandError(.validation, "channel is not a channel", rule: "notify.delivery_filter", fields: ["channel": "is unknown"])
        }
        if let recipient { try ShortText.check(recipient, field: "recipient", max: 200, rule: "notify.delivery_filter") }
        self.after = try Self.cursor(cursor)
        if let limit, !Self.limits.contains(limit) {
            throw CommandError(.validation, "limit must be 1 to 200", rule: "requests.limit", fields: ["limit": "must be 1 to 200"])
        }
        self.state = state
        self.channel = channel
        self.recipient = recipient
        self.limit = limit ?? Self.exportLimit
    }

    /// A page's cursor: the id of the last delivery or notification it showed.
    public static func cursor(_ text: String?) throws(CommandError) -> UUID? {
        guard let text else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw CommandError(.validation, "cursor must be the nextCursor of a page", rule: "requests.cursor", fields: ["cursor": "must be a UUID"])
        }
        return id
    }
}
