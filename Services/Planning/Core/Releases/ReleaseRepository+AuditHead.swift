import Contracts
import Foundation
import Postgres

extension ReleaseRepository {
    /// Saves `record`, locked as `locked` in this transaction: when only its audit head
    /// moved (a task action, the commonest command), only the head and the version are
    /// written, with the same version check as ``save(_:in:)``; otherwise the whole row.
    public func save(_ record: ReleaseRecord, lockedAs locked: ReleaseRecord, in transaction: PostgresTransaction) async throws {
        var unchanged = record
        unchanged.auditHead = locked.auditHead
        guard unchanged == locked else { return try await save(record, in: transaction) }
        try await transaction.enqueue(
            """
            UPDATE \(identifier: schema).releases SET audit_seq = \(record.auditSeq), audit_mac = \(record.auditMAC),
                version = version + 1, updated_at = now()
            WHERE key = \(record.key) AND version = \(record.version)
            """, label: "save release audit head", check: Self.oneRowSaved(record.key))
    }
}
