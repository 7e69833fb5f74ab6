import AMQP
import Foundation

/// Publish and consume throughput through the Swift wrapper, 256-byte persistent messages
/// on a quorum queue, beside baselines measured on the same broker in the same run.
enum AMQPBenchmarks {
    static func run(url: String, messages: Int) async throws -> [BenchmarkRow] {
        let config = try AMQPConfiguration(url: url)
        let connection = try await AMQPConnection.connect(config)
        let queue = "bench.\(UUID().uuidString.prefix(8))"
        try await connection.declareQueue(.quorum(queue, deliveryLimit: 5))
        let body = Data(repeating: UInt8(ascii: "x"), count: 256)
        func batch(_ count: Int) -> [AMQPMessage] {
            (0..<count).map { _ in AMQPMessage(exchange: "", routingKey: queue, body: body) }
        }

        // Baseline: a confirm after every message.
        let singles = max(messages / 20, 500)
        let perMessage = try await rate(operations: singles) {
            for message in batch(singles) { try await connection.publish(message) }
        }
        // Batched confirms: one wait per 500 messages.
        let batchSize = 500
        let batches = (0..<(messages / batchSize)).map { _ in batch(batchSize) }
        let batched = try await rate(operations: batches.count * batchSize) {
            for messages in batches { try await connection.publish(messages) }
        }

        // Consume what is queued: prefetch 1 (baseline) for a slice, then prefetch 100.
        let total = singles + batches.count * batchSize
        let slowSlice = min(2_000, total / 10)
        let prefetchOne = try await consume(queue: queue, config: config, prefetch: 1, count: slowSlice)
        let prefetchHundred = try await consume(queue: queue, config: config, prefetch: 100, count: total - slowSlice)
        try await connection.deleteQueue(queue)
        await connection.close()
        return [
            BenchmarkRow(name: "AMQP publish, batched confirms (500)", value: batched, unit: "msg/s",
                         baselineName: "confirm per message", baseline: perMessage, target: 20_000),
            BenchmarkRow(name: "AMQP consume + ack, prefetch 100", value: prefetchHundred, unit: "msg/s",
                         baselineName: "prefetch 1", baseline: prefetchOne, target: 20_000),
        ]
    }

    /// Consumes `count` messages on a fresh connection, acking each, and returns msg/s.
    private static func consume(queue: String, config: AMQPConfiguration, prefetch: UInt16, count: Int) async throws -> Double {
        let connection = try await AMQPConnection.connect(config)
        let stream = try await connection.consume(queue: queue, prefetch: prefetch)
        let runner = Task { try await connection.run() }
        defer { runner.cancel() }
        let result = try await rate(operations: count) {
            var received = 0
            for try await delivery in stream {
                try await delivery.ack()
                received += 1
                if received == count { break }
            }
        }
        runner.cancel()
        _ = await runner.result
        await connection.close()
        return result
    }
}
