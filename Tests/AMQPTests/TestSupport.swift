import Foundation
import ShipboardTestSupport
import Testing

@testable import AMQP

/// Servers and settings that `Infra/scripts/test.sh` provides through the environment.
enum TestEnvironment {
    static func url(_ name: String) throws -> String {
        try TestSettings.value(name)
    }

    /// The shared test broker (vhost `shipboard-test`); tests isolate by unique names.
    static func broker() throws -> AMQPConfiguration {
        try AMQPConfiguration(url: url("SHIPBOARD_TEST_AMQP_URL"))
    }

    /// The broker that fault tests stop, start, kill and freeze.
    static func faultBroker() throws -> AMQPConfiguration {
        try AMQPConfiguration(url: url("SHIPBOARD_TEST_FAULT_AMQP_URL"))
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A name no other test uses.
func uniqueName(_ prefix: String) -> String {
    "test.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `body` with a running `AMQPClient`, stopping it afterwards.
func withClient<R: Sendable>(
    _ configuration: AMQPConfiguration, topology: AMQPTopology = AMQPTopology(),
    _ body: (AMQPClient) async throws -> R
) async throws -> R {
    let client = AMQPClient(
        configuration: configuration, topology: topology,
        backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(500)))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        _ = try await client.currentConnection(timeout: .seconds(20))
        return try await body(client)
    }
}

/// Collects deliveries from a consumer in the background.
actor DeliveryCollector {
    private(set) var deliveries: [AMQPDelivery] = []
    private var acked = 0
    private var task: Task<Void, Never>?

    /// Starts reading `stream`; acks each delivery when `ack` is true (after `delay`, to
    /// consume slowly).
    func start<S: AsyncSequence & Sendable>(_ stream: S, ack: Bool, delay: Duration = .zero) where S.Element == AMQPDelivery {
        task = Task {
            do {
                for try await delivery in stream {
                    if ack {
                        if delay > .zero { try? await Task.sleep(for: delay) }
                        try? await delivery.ack()
                    }
                    self.add(delivery, acked: ack)
                }
            } catch {}
        }
    }

    private func add(_ delivery: AMQPDelivery, acked: Bool) {
        deliveries.append(delivery)
        if acked { self.acked = deliveries.count }
    }

    var count: Int { deliveries.count }

    /// Acks every delivery collected and not yet acked; returns how many acks succeeded.
    func ackAll() async -> Int {
        var succeeded = 0
        while acked < deliveries.count {
            let delivery = deliveries[acked]
            acked += 1
            if (try? await delivery.ack()) != nil { succeeded += 1 }
        }
        return succeeded
    }

    /// Waits until `count` deliveries arrived or `timeout` passed; returns what arrived.
    func wait(for count: Int, timeout: Duration = .seconds(10)) async -> [AMQPDelivery] {
        let deadline = ContinuousClock.now + timeout
        while deliveries.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return deliveries
    }

    func stop() { task?.cancel() }
}

extension AMQPTopology {
    /// A quorum queue bound to a new topic exchange, with a dead-letter exchange and queue.
    static func testRoute(_ name: String) -> AMQPTopology {
        AMQPTopology(
            exchanges: [.init(name: "\(name).x", kind: .topic), .init(name: "\(name).dlx", kind: .fanout)],
            queues: [
                .quorum("\(name).q", deliveryLimit: 5, deadLetterExchange: "\(name).dlx"),
                .quorum("\(name).dlq", deliveryLimit: 5),
            ],
            bindings: [
                .init(queue: "\(name).q", exchange: "\(name).x", routingKey: "#"),
                .init(queue: "\(name).dlq", exchange: "\(name).dlx", routingKey: ""),
            ])
    }
}

func message(_ name: String, _ text: String, id: String = UUID().uuidString, mandatory: Bool = false) -> AMQPMessage {
    AMQPMessage(
        exchange: "\(name).x", routingKey: "test.key", body: Data(text.utf8),
        properties: AMQPProperties(messageID: id), mandatory: mandatory)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Records a client's events in the background.
actor EventRecorder {
    private(set) var events: [AMQPClient.Event] = []
    private var task: Task<Void, Never>?

    init() {}

    func start(_ stream: AsyncStream<AMQPClient.Event>) {
        task = Task { for await event in stream { self.add(event) } }
    }

    private func add(_ event: AMQPClient.Event) { events.append(event) }

    func stop() { task?.cancel() }
}
