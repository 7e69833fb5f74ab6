import Contracts

/// An entry as read back from `audit_log`: what its MAC covers and the MAC.
public struct StoredAuditEntry: Sendable, Equatable {
    public var fields: AuditSealedFields
    public var mac: String

    public init(fields: AuditSealedFields, mac: String) {
        self.fields = fields
        self.mac = mac
    }
}

/// Where a chain says it ends: a release's row (with the phase and status the row holds), or
/// the head row of a shared chain (`audit_chain_heads`).
public struct StoredAuditHead: Sendable, Equatable {
    public var seq: Int
    public var mac: String
    /// The release row's phase and status; nil for shared chains.
    public var releaseState: (phase: String, status: String)?

    public init(seq: Int, mac: String, releaseState: (phase: String, status: String)? = nil) {
        self.seq = seq
        self.mac = mac
        self.releaseState = releaseState
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.seq == rhs.seq && lhs.mac == rhs.mac && lhs.releaseState?.phase == rhs.releaseState?.phase
            && lhs.releaseState?.status == rhs.releaseState?.status
    }
}

/// The rules a chain must satisfy, checked without the database: every entry authentic under
/// a key of the keyring, numbered 1, 2, 3… and linked to its predecessor's MAC; the head where
/// the last entry is; and a release row in the phase and status its last entry recorded.
/// Each attack on the trail breaks one of them:
/// - a forged or rewritten entry (even with recomputed hashes): no valid MAC without the key;
/// - a field boundary shifted: the canonical encoding differs, so the MAC does;
/// - entries cut from the tail, or a whole chain deleted: the head still names the last one;
/// - a release row's phase or status changed by SQL: it no longer matches the last entry.
public enum AuditChainCheck {
    public static func verify(
        chain: String, entries: [StoredAuditEntry], head: StoredAuditHead?, keyring: AuditKeyring
    ) -> AuditVerification {
        var previousMAC = AuditTrail.genesisMAC
        for (index, entry) in entries.enumerated() {
            let expected = index + 1
            let seq = entry.fields.seq
            guard seq == expected else { return .broken(seq: expected, reason: "entry \(expected) is missing") }
            guard entry.fields.chain == chain else {
                return .broken(seq: seq, reason: "entry \(seq) was written for chain \(entry.fields.chain)")
            }
            guard entry.fields.previousMAC == previousMAC else {
                return .broken(seq: seq, reason: "entry \(seq) does not chain to entry \(seq - 1)")
            }
            guard let key = keyring.key(entry.fields.keyID) else {
                return .broken(seq: seq, reason: "entry \(seq) is signed with key \(entry.fields.keyID), which this service does not hold")
            }
            guard entry.fields.isAuthentic(entry.mac, with: key) else {
                return .broken(seq: seq, reason: "entry \(seq) was changed after it was written, or not written by the service")
            }
            previousMAC = entry.mac
        }
        let last = entries.count
        guard let head else {
            if last == 0 { return .intact(entries: 0) }
            return .broken(seq: last, reason: "the chain's head is missing (its release row or head row was deleted)")
        }
        if head.seq > last {
            let missing = last + 1 == head.seq ? "entry \(head.seq) is" : "entries \(last + 1)–\(head.seq) are"
            return .broken(seq: last + 1, reason: "\(missing) missing: the chain was cut back")
        }
        if head.seq < last {
            return .broken(seq: head.seq + 1, reason: "the head names entry \(head.seq), but the chain goes on to \(last)")
        }
        if last > 0, head.mac != previousMAC {
            return .broken(seq: last, reason: "the head does not match entry \(last)")
        }
        if let state = head.releaseState, let lastEntry = entries.last {
            let recorded = (lastEntry.fields.details["phase"], lastEntry.fields.details["status"])
            if recorded.0 != state.phase || recorded.1 != state.status {
                return .broken(
                    seq: last,
                    reason: "the release row is \(state.phase)/\(state.status), but its last audited entry left it "
                        + "\(recorded.0 ?? "?")/\(recorded.1 ?? "?")")
            }
        }
        if head.releaseState != nil, last == 0 {
            return .broken(seq: 1, reason: "the release has no audit entries")
        }
        return .intact(entries: last)
    }
}

/// The outcome of verifying one chain.
public enum AuditVerification: Sendable, Equatable {
    case intact(entries: Int)
    /// The first entry whose link, content or head does not check out.
    case broken(seq: Int, reason: String)
}
