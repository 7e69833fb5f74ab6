import Contracts
import Crypto
import Foundation

/// What an audit entry's MAC covers, and the MAC itself.
///
/// The encoding is canonical and unambiguous: a format tag, then every field in a fixed order
/// as a 4-byte big-endian length followed by its UTF-8 bytes; details are a count followed by
/// their pairs sorted by key, each length-prefixed the same way. Moving a byte from one field
/// to the next (`actor "ab", action "c"` against `actor "a", action "bc"`) changes the
/// lengths, so it changes the MAC; JSON re-serialisation by the database cannot change it
/// because the details are encoded here, not from `jsonb` text. The time is whole
/// microseconds since 1970 (what `timestamptz` stores), written in decimal.
public struct AuditSealedFields: Sendable, Equatable {
    public var keyID: String
    public var chain: String
    public var seq: Int
    public var actor: String
    public var action: String
    public var details: [String: String]
    public var occurredAtMicros: Int64
    public var previousMAC: String

    static let formatTag = "shipboard.audit/2"

    public init(
        keyID: String, chain: String, seq: Int, actor: String, action: String, details: [String: String],
        occurredAtMicros: Int64, previousMAC: String
    ) {
        self.keyID = keyID
        self.chain = chain
        self.seq = seq
        self.actor = actor
        self.action = action
        self.details = details
        self.occurredAtMicros = occurredAtMicros
        self.previousMAC = previousMAC
    }

    /// The bytes the MAC is computed over.
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        func field(_ text: String) {
            let utf8 = Array(text.utf8)
            let length = UInt32(utf8.count)
            bytes += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            bytes += utf8
        }
        field(Self.formatTag)
        field(keyID)
        field(chain)
        field(String(seq))
        field(actor)
        field(action)
        field(String(details.count))
        for key in details.keys.sorted() {
            field(key)
            field(details[key]!)
        }
        field(String(occurredAtMicros))
        field(previousMAC)
        return bytes
    }

    /// HMAC-SHA256 of the canonical bytes, as 64 lowercase hex digits.
    func mac(with key: SymmetricKey) -> String {
        LowercaseHex.encode(HMAC<SHA256>.authenticationCode(for: canonicalBytes, using: key))
    }

    /// True when `mac` is this content's MAC under `key` (compared in constant time).
    func isAuthentic(_ mac: String, with key: SymmetricKey) -> Bool {
        guard mac.utf8.count == 64, let code = AuditKeyring.bytes(hex: Substring(mac)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: canonicalBytes, using: key)
    }
}

extension AuditSealedFields {
    /// Microseconds from 1970-01-01 to 2001-01-01, the reference date of `Date`.
    static let referenceOffsetMicros: Int64 = 978_307_200 * 1_000_000

    /// `date` in whole microseconds since 1970, as PostgreSQL stores it: `Date`'s binding
    /// rounds to the microsecond from the 2001 reference date, and so does this.
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSinceReferenceDate * 1_000_000).rounded()) + referenceOffsetMicros
    }

    /// The time now, at the microsecond the database will store.
    static func now() -> Date {
        let reference = (Date().timeIntervalSinceReferenceDate * 1_000_000).rounded()
        return Date(timeIntervalSinceReferenceDate: reference / 1_000_000)
    }
}
