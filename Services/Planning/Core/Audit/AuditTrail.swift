import Contracts
import Foundation
import Postgres

/// The append-only, MAC-chained audit trail (table `<schema>.audit_log`), one chain per
/// release and a few shared chains (`CMDB`, `CONFIGURATION`).
///
/// Each entry carries an HMAC-SHA256 (``AuditSealedFields``) under a key of the service's
/// ``AuditKeyring`` over its canonical encoding, which includes its predecessor's MAC. The
/// database holds no key, so no role (the owner included) can write an entry that verifies.
/// Where a chain ends is kept apart from it: a release's head (sequence and MAC) is on its
/// row in `releases`, written by the same save; a shared chain's in `audit_chain_heads`.
/// Events carry the head too (``AuditHead``), so a chain cut back together with its head is
/// still caught by whoever keeps the events.
///
/// Entries are written inside the caller's transaction, so one exists exactly when the change
/// it records committed. Appends to one chain are serialized by the lock of what owns the
/// head: the release's row lock, or the shared chain's advisory lock.
public struct AuditTrail: Sendable {
    /// How concurrent appends to a shared chain are kept apart.
    public enum Serialization: Sendable {
        /// `appendToSharedChain` takes the chain's transaction advisory lock itself.
        case advisoryLock
        /// The caller took the chain's lock already (`lockChain`), before the change it records.
        case chainLockHeld
    }

    public let schema: String
    public let keyring: AuditKeyring

    public init(schema: String = PlanningSchema.name, keyring: AuditKeyring) {
        self.schema = schema
        self.keyring = keyring
    }

    /// The "MAC" a chain's first entry links to.
    public static let genesisMAC = String(repeating: "0", count: 64)

    /// The head of a chain without entries.
    public static func emptyHead(_ chain: String) -> AuditHead {
        AuditHead(chain: chain, seq: 0, mac: genesisMAC)
    }

    /// Takes the transaction advisory lock of the shared chain `chain` (held until commit):
    /// writers of a chain that is not a release's (the CMDB, configuration) take it before they
    /// change anything, so their changes and entries apply one after the other.
    public func lockChain(_ chain: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(\(schema) || '/audit/' || \(chain), 0))",
            label: "audit lock")
    }

    /// Appends `action` by `actor` after `head`, the chain's current head, which the caller
    /// holds locked (a release's row). Returns the entry; its ``AuditEntry/head`` is the new
    /// head, which the caller stores where the old one was.
    @discardableResult
    public func append(
        after head: AuditHead, actor: String, action: String, details: [String: String] = [:],
        in transaction: PostgresTransaction
    ) async throws -> AuditEntry {
        let occurredAt = AuditSealedFields.now()
        let fields = AuditSealedFields(
            keyID: keyring.currentID, chain: head.chain, seq: head.seq + 1, actor: actor, action: action, details: details,
            occurredAtMicros: AuditSealedFields.micros(occurredAt), previousMAC: head.mac)
        let mac = fields.mac(with: keyring.currentKey)
        // Queued: nothing is read back, so it travels with the command's next statement.
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).audit_log
                (release_key, seq, actor, action, details, occurred_at, previous_mac, mac, key_id)
            VALUES (\(head.chain), \(fields.seq), \(actor), \(action), \(json: details)::jsonb, \(occurredAt),
                    \(head.mac), \(mac), \(fields.keyID))
            """, label: "audit append")
        return AuditEntry(fields: fields, mac: mac, occurredAt: occurredAt)
    }

    /// Appends to a shared chain: reads its head from `audit_chain_heads`, appends, and moves
    /// the head, under the chain's lock.
    @discardableResult
    public func appendToSharedChain(
        _ chain: String, actor: String, action: String, details: [String: String] = [:],
        serializedBy serialization: Serialization = .advisoryLock, in transaction: PostgresTransaction
    ) async throws -> AuditEntry {
        if serialization == .advisoryLock { try await lockChain(chain, in: transaction) }
        let rows = try await transaction.query(
            "SELECT seq, mac FROM \(identifier: schema).audit_chain_heads WHERE chain_key = \(chain)", label: "audit head")
        var head = Self.emptyHead(chain)
        if let row = rows.first { (head.seq, head.mac) = try row.decode((Int, String).self) }
        let entry = try await append(after: head, actor: actor, action: action, details: details, in: transaction)
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).audit_chain_heads (chain_key, seq, mac) VALUES (\(chain), \(entry.seq), \(entry.mac))
            ON CONFLICT (chain_key) DO UPDATE SET seq = excluded.seq, mac = excluded.mac
            """, label: "audit head move")
        return entry
    }

    /// Checks one chain: every MAC, every link, and its head (``AuditChainCheck``).
    public func verify(chain: String, pool: PostgresPool) async throws -> AuditVerification {
        let read = try await reader.snapshot(of: [chain], pool: pool)
        return AuditChainCheck.verify(chain: chain, entries: read.entries[chain, default: []], head: read.heads[chain], keyring: keyring)
    }

    /// Checks a release's chain inside `transaction`: the release row is locked `FOR SHARE`
    /// first, so no command on it commits while its entries and head are read; `notFound`
    /// when no release has `key`.
    public func verifyRelease(_ key: String, in transaction: PostgresTransaction) async throws -> AuditVerification {
        let rows = try await transaction.query(
            "SELECT 1 FROM \(identifier: schema).releases WHERE key = \(key) FOR SHARE", label: "audit verify lock")
        guard !rows.isEmpty else {
            throw CommandError(.notFound, "release \(key.prefix(40)) does not exist", rule: "releases.exists")
        }
        let read = try await reader.snapshot(of: [key], in: transaction)
        return AuditChainCheck.verify(chain: key, entries: read.entries[key, default: []], head: read.heads[key], keyring: keyring)
    }

    /// Whether the chain still holds the entry `head` names (an event's ``AuditHead``),
    /// authentic and linked back to the first entry. Events kept outside the database are
    /// witnesses it cannot rewrite: a chain cut back and its head rolled back with it verifies
    /// on its own, but no longer holds the head of an event published before the cut.
    public func holds(_ head: AuditHead, pool: PostgresPool) async throws -> Bool {
        guard head.seq > 0 else { return false }
        let entries = try await reader.snapshot(of: [head.chain], pool: pool).entries[head.chain, default: []].prefix(head.seq)
        guard entries.count == head.seq else { return false }
        return AuditChainCheck.verify(
            chain: head.chain, entries: Array(entries), head: StoredAuditHead(seq: head.seq, mac: head.mac), keyring: keyring
        ) == .intact(entries: head.seq)
    }

    /// Reads this trail's entries back (no key needed).
    public var reader: AuditLogReader { AuditLogReader(schema: schema) }
}

/// One recorded action.
public struct AuditEntry: Sendable, Equatable {
    public let chain: String
    public let seq: Int
    public let actor: String
    public let action: String
    public let details: [String: String]
    public let occurredAt: Date
    public let keyID: String
    public let previousMAC: String
    public let mac: String

    init(fields: AuditSealedFields, mac: String, occurredAt: Date) {
        chain = fields.chain
        seq = fields.seq
        actor = fields.actor
        action = fields.action
        details = fields.details
        self.occurredAt = occurredAt
        keyID = fields.keyID
        previousMAC = fields.previousMAC
        self.mac = mac
    }

    /// The chain's head right after this entry.
    public var head: AuditHead { AuditHead(chain: chain, seq: seq, mac: mac) }
}
