import Contracts
import Postgres

extension PlanningCommandHandlers {
    /// Appends one entry per `(action, details)` to the release's audit chain, after the head
    /// on `record`, and moves that head; the caller saves the record, so head and entries
    /// commit together. Every entry also records the phase and status the command leaves the
    /// release in: a row changed behind the service's back then no longer matches its last
    /// entry (`AuditChainCheck`). Returns each entry's head, for the event it records.
    func appendAudit(
        to record: inout ReleaseRecord, actor: String, _ entries: [(action: String, details: [String: String])],
        in transaction: PostgresTransaction
    ) async throws -> [AuditHead] {
        var heads: [AuditHead] = []
        for (action, details) in entries {
            var recorded = details
            recorded["phase"] = record.phase
            recorded["status"] = record.status
            let entry = try await audit.append(after: record.auditHead, actor: actor, action: action, details: recorded, in: transaction)
            record.auditHead = entry.head
            heads.append(entry.head)
        }
        return heads
    }
}
