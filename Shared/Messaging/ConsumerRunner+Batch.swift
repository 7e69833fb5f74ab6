import AMQP
import Contracts
import Foundation
import Postgres

extension ConsumerRunner {
    /// A decoded event ready to run inside a batch transaction.
    private struct Ready {
        let item: LaneItem
        let header: EnvelopeHeader
        let prepared: MessageHandlers.Prepared
    }

    /// Handles events that arrived together (see the type's documentation) and tells the
    /// lanes how each ended.
    func processBatch(_ items: [LaneItem]) async {
        var ready: [Ready] = []
        var settled: [LaneItem] = []
        for item in items {
            // Stale deliveries and anything without a handler take the single path, which drops
            // or dead-letters them (it never waits or retries). Lanes count what is in hand, so
            // theirs stays busy while later messages of it are in this batch.
            guard await item.delivery.isLive, case .success(let header) = item.header,
                  let prepared = try? handlers.prepare(header, body: item.delivery.body)
            else {
                _ = await process(item)
                settled.append(item)
                continue
            }
            ready.append(Ready(item: item, header: header, prepared: prepared))
        }
        await lanes.done(settled)
        guard !ready.isEmpty else { return }
        var conflicts = 0
        while true {
            do {
                let handled = try await handleTogether(ready)
                outcomes("handled").increment(by: handled)
                outcomes("duplicate").increment(by: ready.count - handled)
                for entry in ready {
                    await settle(entry.item.delivery, logger: logger) { try await entry.item.delivery.ack() }
                }
                return await lanes.done(ready.map(\.item))
            } catch {
                let failure = HandlingFailure(error)
                switch failure {
                case .conflict where conflicts < retry.conflictRetries:
                    conflicts += 1
                    outcomes("conflict").increment()
                    try? await Task.sleep(for: RetryPolicy.conflictPause(conflicts))
                case .databaseUnavailable, .brokerUnavailable:
                    return await hold(ready.map(\.item), failure, error)
                case .cancelled:
                    return await lanes.done(ready.map(\.item))
                case .conflict, .fault:
                    // Nothing committed: each goes back to its lane to be handled alone, so
                    // only the message at fault counts an attempt.
                    return await lanes.putBack(ready.map {
                        var item = $0.item
                        item.alone = true
                        return item
                    })
                }
            }
        }
    }

    /// One transaction: one inbox insert claims them all, each handler runs in turn (in lane
    /// order), one COMMIT. Returns how many were new (the rest were duplicates).
    private func handleTogether(_ ready: [Ready]) async throws -> Int {
        try await pool.withTransaction { transaction in
            // The ids are UUIDs from decoded envelopes, so the array literal is safe to build.
            let ids = "{" + ready.map { $0.header.id.uuidString }.joined(separator: ",") + "}"
            let claimed = try await transaction.query(
                """
                INSERT INTO \(identifier: inbox.schema).inbox (consumer, message_id)
                SELECT \(inbox.consumer), id FROM unnest(\(ids)::uuid[]) AS id
                ON CONFLICT (consumer, message_id) DO NOTHING
                RETURNING message_id
                """, label: "inbox claim batch")
            var fresh = Set(try claimed.map { try $0.decode(at: 0, as: UUID.self) })
            var count = 0
            for entry in ready where fresh.remove(entry.header.id) != nil {
                _ = try await entry.prepared(HandlerContext(
                    transaction: transaction, outbox: outbox, header: entry.header, attempt: 1,
                    redelivered: entry.item.delivery.redelivered, logger: logger))
                count += 1
            }
            return count
        }
    }
}
