/// The head of an audit chain right after one entry: its sequence number and MAC.
///
/// Events carry the head of the entry that records them (``Envelope/auditHead``), so anyone
/// who keeps the events holds a witness the database cannot rewrite: a chain cut back after
/// an event was published no longer reaches that event's sequence number and MAC.
public struct AuditHead: Codable, Sendable, Equatable {
    /// The chain: a release key, or a shared chain such as `CMDB`.
    public var chain: String
    /// The entry's number in its chain (1 for the first).
    public var seq: Int
    /// The entry's HMAC-SHA256, 64 hex digits.
    public var mac: String

    public init(chain: String, seq: Int, mac: String) {
        self.chain = chain
        self.seq = seq
        self.mac = mac
    }
}
