import Foundation
import Postgres

/// The append-only, hash-chained audit trail of releases (table `<schema>.audit_log`).
///
/// `append` runs inside the caller's transaction, so an entry exists exactly when the
/// change it records committed. Appends to one chain are serialized (a transaction advisory
/// lock, or the release's row lock the caller holds), so `seq` has no gaps and each row
/// chains to the one before it.
public struct AuditTrail: Sendable {
    /// How concurrent appends to one chain are kept apart.
    public enum Serialization: Sendable {
        /// `append` takes a transaction advisory lock on the chain (one more round trip).
        case advisoryLock
        /// The caller holds the release's row lock, which every writer of a release's chain
        /// takes first (`ReleaseRepository.lock`, or the INSERT of a new release, invisible
        /// to others until commit). Saves the advisory lock's round trip on every command.
        case releaseRowLock
        /// The caller took the chain's lock already (`lockChain`), before the change it records.
        case chainLockHeld
    }

    public let schema: String

    public init(schema: String = "planning") {
        self.schema = schema
    }

    /// Hash of the (absent) predecessor of a release's first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Takes the transaction advisory lock of the chain `key` (held until commit): writers of a
    /// chain that is not a release's (the CMDB, configuration) take it before they change
    /// anything, so their changes and entries apply one after the other.
    public func lockChain(_ key: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(\(schema) || '/audit/' || \(key), 0))",
            label: "audit lock")
    }

    /// Records `action` by `actor` on `releaseKey`, chained to the release's last entry.
    @discardableResult
    public func append(
        releaseKey: String, actor: String, action: String, details: [String: String] = [:],
        serializedBy serialization: Serialization = .advisoryLock, in transaction: PostgresTransaction
    ) async throws -> AuditEntry {
        if serialization == .advisoryLock {
            try await lockChain(releaseKey, in: transaction)
        }
        let rows = try await transaction.query(
            """
            WITH previous AS (
                SELECT coalesce(max(seq), 0) AS seq,
                       coalesce((SELECT hash FROM \(identifier: schema).audit_log
                                 WHERE release_key = \(releaseKey) ORDER BY seq DESC LIMIT 1), \(Self.genesisHash)) AS hash
                FROM \(identifier: schema).audit_log WHERE release_key = \(releaseKey)
            ), entry AS (
                SELECT previous.seq + 1 AS seq, previous.hash AS previous_hash, \(json: details)::jsonb AS details,
                       now() AS occurred_at
                FROM previous
            )
            INSERT INTO \(identifier: schema).audit_log
                (release_key, seq, actor, action, details, occurred_at, previous_hash, hash)
            SELECT \(releaseKey), entry.seq, \(actor), \(action), entry.details, entry.occurred_at, entry.previous_hash,
                   public.shipboard_audit_hash(entry.previous_hash, \(releaseKey), entry.seq, \(actor), \(action),
                                               entry.details, entry.occurred_at)
            FROM entry
            RETURNING seq, occurred_at, previous_hash, hash
            """, label: "audit append")
        let (seq, occurredAt, previousHash, hash) = try rows.single().decode((Int, Date, String, String).self)
        return AuditEntry(
            releaseKey: releaseKey, seq: seq, actor: actor, action: action, details: details,
            occurredAt: occurredAt, previousHash: previousHash, hash: hash)
    }

    /// A release's entries in order.
    public func entries(releaseKey: String, pool: PostgresPool) async throws -> [AuditEntry] {
        let rows = try await pool.query(
            """
            SELECT seq, actor, action, details::text, occurred_at, previous_hash, hash
            FROM \(identifier: schema).audit_log WHERE release_key = \(releaseKey) ORDER BY seq
            """)
        return try rows.map { row in
            let (seq, actor, action, detailsJSON, occurredAt, previousHash, hash) =
                try row.decode((Int, String, String, String, Date, String, String).self)
            let details = (try? JSONDecoder().decode([String: String].self, from: Data(detailsJSON.utf8))) ?? [:]
            return AuditEntry(
                releaseKey: releaseKey, seq: seq, actor: actor, action: action, details: details,
                occurredAt: occurredAt, previousHash: previousHash, hash: hash)
        }
    }

    /// Recomputes every hash of a release's chain and reports the first broken link.
    public func verify(releaseKey: String, pool: PostgresPool) async throws -> AuditVerification {
        let rows = try await pool.query(
            """
            SELECT seq, previous_hash, hash,
                   public.shipboard_audit_hash(previous_hash, release_key, seq, actor, action, details, occurred_at)
            FROM \(identifier: schema).audit_log WHERE release_key = \(releaseKey) ORDER BY seq
            """)
        var expectedPrevious = Self.genesisHash
        var expectedSeq = 1
        for row in rows {
            let (seq, previousHash, hash, recomputed) = try row.decode((Int, String, String, String).self)
            if seq != expectedSeq {
                return .broken(seq: expectedSeq, reason: "entry \(expectedSeq) is missing")
            }
            if previousHash != expectedPrevious {
                return .broken(seq: seq, reason: "entry \(seq) does not chain to entry \(seq - 1)")
            }
            if hash != recomputed {
                return .broken(seq: seq, reason: "entry \(seq) was changed after it was written")
            }
            expectedPrevious = hash
            expectedSeq += 1
        }
        return .intact(entries: rows.count)
    }
}

/// One recorded action.
public struct AuditEntry: Sendable, Equatable, Codable {
    public let releaseKey: String
    public let seq: Int
    public let actor: String
    public let action: String
    public let details: [String: String]
    public let occurredAt: Date
    public let previousHash: String
    public let hash: String
}

/// The outcome of `AuditTrail.verify`.
public enum AuditVerification: Sendable, Equatable {
    case intact(entries: Int)
    /// The first entry whose link or content does not check out.
    case broken(seq: Int, reason: String)
}
