import Foundation
import Postgres

extension OutboxRelay {
    /// Counts one attempt per faulty row in one statement: `last_error` is set, a permanent
    /// fault or the `maxAttempts`-th attempt marks the row failed, any other waits
    /// `attemptBackoff × 2^(attempts − 1)` (`retry_at`). Returns the faults with their new state.
    func record(_ faults: [OutboxRowFault], in transaction: PostgresTransaction) async throws -> [OutboxRowFault] {
        let permanent = faults.filter(\.isPermanent).map(\.seq)
        let backoff = Double(attemptBackoff.components.seconds) + Double(attemptBackoff.components.attoseconds) / 1e18
        let rows = try await transaction.query(
            """
            UPDATE \(identifier: outbox.schema).outbox AS o SET
                attempts = o.attempts + 1,
                last_error = f.reason,
                failed_at = CASE WHEN o.seq = ANY(\(bind: PostgresArrayBind.int64s(permanent))) OR o.attempts + 1 >= \(maxAttempts)
                                 THEN now() END,
                retry_at = now() + make_interval(secs => \(backoff) * power(2, o.attempts))
            FROM unnest(\(bind: PostgresArrayBind.int64s(faults.map(\.seq))),
                        \(bind: PostgresArrayBind.texts(faults.map { String($0.reason.prefix(OutboxRowFault.maxReasonLength)) })))
                 AS f(seq, reason)
            WHERE o.seq = f.seq
            RETURNING o.seq, o.attempts, o.failed_at IS NOT NULL
            """, label: "record outbox attempts")
        var states: [Int64: (Int, Bool)] = [:]
        for row in rows {
            let (seq, attempts, failed) = try row.decode((Int64, Int32, Bool).self)
            states[seq] = (Int(attempts), failed)
        }
        return faults.map { fault in
            var fault = fault
            if let (attempts, failed) = states[fault.seq] {
                fault.attempts = attempts
                fault.isFailed = failed
            }
            return fault
        }
    }
}
