import AMQP
import Foundation
import Postgres

extension OutboxRelay {
    /// What one relay transaction did.
    struct BatchOutcome: Sendable {
        var published = 0
        var faults: [OutboxRowFault] = []
        /// More rows may be ready at once (the batch hit its row or byte cap).
        var isFull = false
    }

    /// True when a publish failed because of the message itself (the client refused an
    /// argument, the broker nacked or returned it, or closed the channel over it): the row is
    /// charged an attempt. Anything else is an outage (see `AMQPError.isConnectionError`, and a
    /// confirm timeout): rows stay pending and nothing is counted.
    public static func isRowFault(_ error: AMQPError) -> Bool {
        OutboxRowFault.isRowFault(error)
    }

    /// Publishes up to `batchSize` pending rows (at most `maxBatchBytes`); returns how many went out.
    @discardableResult
    public func relayBatch() async throws -> Int {
        try await relayOnce().published
    }

    /// One transaction: claim, publish (isolating poison rows if the batch is refused), mark.
    func relayOnce() async throws -> BatchOutcome {
        let outcome = try await pool.withTransaction { transaction -> BatchOutcome in
            let claim = try await claim(in: transaction)
            guard !claim.rows.isEmpty else { return BatchOutcome() }
            let batch = OutboxBatch(claim.rows, limits: outbox.limits)
            var outcome = BatchOutcome(faults: batch.faults, isFull: claim.isFull)
            var published: [Int64] = []
            if !batch.ready.isEmpty {
                do {
                    try await amqp.publish(batch.ready.map(\.message), timeout: publishTimeout)
                    published = batch.ready.map(\.seq)
                } catch let error as AMQPError where OutboxRowFault.isRowFault(error) {
                    // Something in the batch was refused: find the culprit row by row.
                    let isolated = try await isolate(batch.ready)
                    published = isolated.published
                    outcome.faults += isolated.faults
                }
            }
            if !published.isEmpty {
                // Queued: it goes out with the COMMIT, one round trip for both.
                try await transaction.enqueue(
                    """
                    UPDATE \(identifier: outbox.schema).outbox SET published_at = now()
                    WHERE seq = ANY(\(bind: PostgresArrayBind.int64s(published)))
                    """, label: "mark published")
            }
            if !outcome.faults.isEmpty {
                outcome.faults = try await record(outcome.faults, in: transaction)
            }
            outcome.published = published.count
            return outcome
        }
        if outcome.published > 0 { metrics.published.increment(by: outcome.published) }
        if !outcome.faults.isEmpty {
            metrics.rowFailures.increment(by: outcome.faults.count)
            for fault in outcome.faults { fault.log(to: logger) }
        }
        return outcome
    }

    /// The claimed rows, in `seq` order, and whether the claim hit a cap.
    struct Claim {
        var rows: [OutboxBatch.StoredRow]
        var isFull: Bool
    }

    /// Locks the next rows to publish: the oldest pending rows (skipping correlation ids held
    /// behind a failed or waiting row) up to the row and byte caps, of the correlation ids this
    /// relay got the advisory lock for.
    ///
    /// A row another transaction changed after this statement's snapshot comes back in its new
    /// version (`FOR UPDATE` rechecks it): `held` is then true if it failed or waits meanwhile,
    /// and the batch skips its correlation id, so a later row never overtakes it.
    private func claim(in transaction: PostgresTransaction) async throws -> Claim {
        let schema = outbox.schema
        let rows = try await transaction.query(
            """
            WITH held AS MATERIALIZED (
                SELECT DISTINCT correlation_id FROM \(identifier: schema).outbox
                WHERE published_at IS NULL AND discarded_at IS NULL AND (failed_at IS NOT NULL OR retry_at > now())
            ), oldest AS MATERIALIZED (
                -- Bounded scan: the oldest pending rows decide which releases go next.
                SELECT correlation_id, seq, octet_length(body) AS size FROM \(identifier: schema).outbox
                WHERE published_at IS NULL AND failed_at IS NULL
                  AND correlation_id NOT IN (SELECT correlation_id FROM held)
                ORDER BY seq LIMIT \(batchSize)
            ), fits AS MATERIALIZED (
                SELECT correlation_id, seq FROM (
                    SELECT correlation_id, seq, sum(size) OVER (ORDER BY seq) - size AS before FROM oldest
                ) AS sized
                WHERE before < \(Int64(maxBatchBytes))
            ), claimed AS MATERIALIZED (
                SELECT correlation_id FROM (
                    SELECT correlation_id, min(seq) AS first_seq FROM fits GROUP BY correlation_id ORDER BY first_seq
                ) AS candidates
                WHERE pg_try_advisory_xact_lock(hashtextextended(\(schema) || '/' || correlation_id, 0))
            )
            SELECT o.seq, o.message_id, o.exchange, o.routing_key, o.message_type, o.correlation_id,
                   o.headers::text, o.body, (o.failed_at IS NOT NULL OR COALESCE(o.retry_at > now(), false)) AS held,
                   (SELECT count(*) FROM oldest) AS scanned, (SELECT count(*) FROM fits) AS fitting
            FROM \(identifier: schema).outbox o
            WHERE o.seq IN (SELECT f.seq FROM fits f JOIN claimed c USING (correlation_id))
              AND o.published_at IS NULL
            ORDER BY o.seq
            FOR UPDATE OF o SKIP LOCKED
            """, label: "claim pending rows")
        var claimed: [OutboxBatch.StoredRow] = []
        claimed.reserveCapacity(rows.count)
        var isFull = false
        for row in rows {
            let (seq, id, exchange, routingKey, type, correlation, headers, body, held, scanned, fitting) =
                try row.decode((Int64, UUID, String, String, String, String, String, Data, Bool, Int64, Int64).self)
            isFull = scanned >= Int64(batchSize) || fitting < scanned
            claimed.append(OutboxBatch.StoredRow(
                seq: seq, id: id, exchange: exchange, routingKey: routingKey, type: type, correlationId: correlation,
                headersJSON: headers, body: body, held: held))
        }
        return Claim(rows: claimed, isFull: isFull)
    }

    /// Publishes `ready` one message at a time. A row refused for its own sake becomes a
    /// fault and holds back the rest of its correlation id; an outage ends the attempt (the
    /// transaction rolls back, nothing is counted).
    private func isolate(_ ready: [OutboxBatch.ReadyRow]) async throws(AMQPError) -> (published: [Int64], faults: [OutboxRowFault]) {
        var published: [Int64] = []
        var faults: [OutboxRowFault] = []
        var refused: Set<String> = []
        for row in ready where !refused.contains(row.correlationId) {
            do {
                try await amqp.publish([row.message], timeout: publishTimeout)
                published.append(row.seq)
            } catch let error where OutboxRowFault.isRowFault(error) {
                // The client refuses what it cannot encode (too long, too large) the same way
                // every time: no point in trying again.
                var isPermanent = false
                if case .invalidArgument = error { isPermanent = true }
                faults.append(OutboxRowFault(
                    seq: row.seq, messageID: row.id, type: row.type, reason: error.description, isPermanent: isPermanent))
                refused.insert(row.correlationId)
            }
        }
        return (published, faults)
    }
}
