import Contracts
import Foundation
import Postgres

/// Reads the audit trail back: entries for the release history and for verification, and
/// where each chain ends. Needs no key (reading is not verifying).
public struct AuditLogReader: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// A chain's entries in order. A stored entry this version cannot read is an internal
    /// error, never shown as a guess.
    public func entries(chain: String, pool: PostgresPool) async throws -> [AuditEntry] {
        try await snapshot(of: [chain], pool: pool).entries[chain, default: []].map { stored in
            AuditEntry(
                fields: stored.fields, mac: stored.mac,
                occurredAt: Date(
                    timeIntervalSinceReferenceDate:
                        Double(stored.fields.occurredAtMicros - AuditSealedFields.referenceOffsetMicros) / 1_000_000))
        }
    }

    /// Entries of `chains` as stored (by chain, in order) and where each chain says it ends,
    /// read in one repeatable-read snapshot: read apart, a command committing in between
    /// would leave a head past the entries read, which would look like a cut-back chain.
    func snapshot(
        of chains: [String], pool: PostgresPool
    ) async throws -> (entries: [String: [StoredAuditEntry]], heads: [String: StoredAuditHead]) {
        try await pool.withTransaction { transaction in
            try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return (try await storedEntries(of: chains, in: transaction), try await heads(of: chains, in: transaction))
        }
    }

    /// The same read inside a command's transaction, for a chain whose writers are held off
    /// by a lock the caller took (a release row locked `FOR SHARE`): nothing can commit
    /// between the two reads, so they agree without a snapshot of their own.
    func snapshot(
        of chains: [String], in transaction: PostgresTransaction
    ) async throws -> (entries: [String: [StoredAuditEntry]], heads: [String: StoredAuditHead]) {
        (try await storedEntries(of: chains, in: transaction), try await heads(of: chains, in: transaction))
    }

    private func storedEntries(of chains: [String], in transaction: PostgresTransaction) async throws -> [String: [StoredAuditEntry]] {
        let rows = try await transaction.query(
            """
            SELECT release_key, seq, actor, action, details::text, occurred_at, previous_mac, mac, key_id
            FROM \(identifier: schema).audit_log WHERE release_key = ANY(\(CIRepository.textArray(chains))::text[])
            ORDER BY release_key, seq
            """)
        var entries: [String: [StoredAuditEntry]] = [:]
        for row in rows {
            let (chain, seq, actor, action, detailsJSON, occurredAt, previousMAC, mac, keyID) =
                try row.decode((String, Int, String, String, String, Date, String, String, String).self)
            guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsJSON.utf8)) else {
                throw CommandError(
                    .internal, "audit entry \(seq) of \(chain) has details this version cannot read", rule: "audit.stored_values")
            }
            let fields = AuditSealedFields(
                keyID: keyID, chain: chain, seq: seq, actor: actor, action: action, details: details,
                occurredAtMicros: AuditSealedFields.micros(occurredAt), previousMAC: previousMAC)
            entries[chain, default: []].append(StoredAuditEntry(fields: fields, mac: mac))
        }
        return entries
    }

    /// Release chains end on their release rows, shared chains in `audit_chain_heads`. A
    /// chain without either has no entry here.
    private func heads(of chains: [String], in transaction: PostgresTransaction) async throws -> [String: StoredAuditHead] {
        let rows = try await transaction.query(
            """
            SELECT key, audit_seq, audit_mac, phase, status FROM \(identifier: schema).releases
            WHERE key = ANY(\(CIRepository.textArray(chains))::text[])
            """)
        var heads: [String: StoredAuditHead] = [:]
        for row in rows {
            let (key, seq, mac, phase, status) = try row.decode((String, Int, String, String, String).self)
            heads[key] = StoredAuditHead(seq: seq, mac: mac, releaseState: (phase, status))
        }
        let shared = try await transaction.query(
            """
            SELECT chain_key, seq, mac FROM \(identifier: schema).audit_chain_heads
            WHERE chain_key = ANY(\(CIRepository.textArray(chains))::text[])
            """)
        for row in shared {
            let (chain, seq, mac) = try row.decode((String, Int, String).self)
            heads[chain] = StoredAuditHead(seq: seq, mac: mac)
        }
        return heads
    }
}
