import AMQP
import Foundation

/// The claimed rows of one relay transaction, sorted into what goes out now and what
/// cannot, keeping order per correlation id.
///
/// - Rows come in `seq` order. Once a row of a correlation id cannot go (it is held, i.e.
///   failed or waiting for its retry meanwhile, or it breaks the limits), no later row of that
///   correlation id goes in this batch either: they stay pending (locked until COMMIT).
/// - A row that breaks `OutboxLimits` (forced in around `Outbox`, or written under other
///   limits) is a permanent fault: publishing it cannot succeed, so it is not tried.
struct OutboxBatch {
    /// A row as the claim query returns it.
    struct StoredRow: Sendable {
        let seq: Int64
        let id: UUID
        let exchange: String
        let routingKey: String
        let type: String
        let correlationId: String
        let headersJSON: String
        let body: Data
        /// Failed, or waiting for its next attempt (seen in its newest version).
        let held: Bool
    }

    /// A row ready to publish.
    struct ReadyRow: Sendable {
        let seq: Int64
        let id: UUID
        let type: String
        let correlationId: String
        let message: AMQPMessage
    }

    private(set) var ready: [ReadyRow] = []
    private(set) var faults: [OutboxRowFault] = []

    init(_ rows: [StoredRow], limits: OutboxLimits, now: Date = Date()) {
        var stopped: Set<String> = []
        ready.reserveCapacity(rows.count)
        for row in rows where !stopped.contains(row.correlationId) {
            if row.held {
                stopped.insert(row.correlationId)
                continue
            }
            switch Self.message(for: row, limits: limits, now: now) {
            case .success(let message):
                ready.append(ReadyRow(seq: row.seq, id: row.id, type: row.type, correlationId: row.correlationId, message: message))
            case .failure(let fault):
                faults.append(fault)
                stopped.insert(row.correlationId)
            }
        }
    }

    /// The AMQP message for `row`, or the permanent fault that keeps it from the broker.
    static func message(for row: StoredRow, limits: OutboxLimits, now: Date) -> Result<AMQPMessage, OutboxRowFault> {
        func fault(_ reason: String) -> Result<AMQPMessage, OutboxRowFault> {
            .failure(OutboxRowFault(seq: row.seq, messageID: row.id, type: row.type, reason: reason, isPermanent: true))
        }
        let headers: [String: String]
        if row.headersJSON == "{}" {
            headers = [:]
        } else {
            guard let decoded = try? JSONDecoder().decode([String: String].self, from: Data(row.headersJSON.utf8)) else {
                return fault("headers must be a JSON object of strings")
            }
            headers = decoded
        }
        let problems = limits.violations(
            exchange: row.exchange, routingKey: row.routingKey, type: row.type, correlationId: row.correlationId,
            actor: nil, headers: headers, bodyBytes: row.body.count)
        guard problems.isEmpty else {
            let rules = problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
            return fault("breaks \(OutboxLimits.rule): \(rules)")
        }
        return .success(AMQPMessage(
            exchange: row.exchange, routingKey: row.routingKey, body: row.body,
            properties: AMQPProperties(
                messageID: row.id.uuidString.lowercased(), correlationID: row.correlationId, type: row.type,
                contentType: "application/json", timestamp: now,
                headers: headers.mapValues { .string($0) })))
    }
}
