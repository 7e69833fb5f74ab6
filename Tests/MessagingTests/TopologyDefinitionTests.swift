import AMQP
import Contracts
import Foundation
import Messaging
import Testing

@Suite("Topology definition")
struct TopologyDefinitionTests {
    static var definitionsFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Infra/rabbitmq/definitions.json")
    }

    /// Regenerate after changing the topology:
    /// `SHIPBOARD_UPDATE_DEFINITIONS=1 bash Infra/scripts/test.sh --filter TopologyDefinitionTests`
    @Test("Infra/rabbitmq/definitions.json is exactly the topology declared in code")
    func exportedDefinitionsMatchCode() throws {
        let generated = try TopologyDefinitions.json(MessagingTopology.shipboard, vhost: "shipboard")
        if ProcessInfo.processInfo.environment["SHIPBOARD_UPDATE_DEFINITIONS"] == "1" {
            try FileManager.default.createDirectory(
                at: Self.definitionsFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try generated.write(to: Self.definitionsFile)
        }
        let committed = try Data(contentsOf: Self.definitionsFile)
        #expect(committed == generated, "run with SHIPBOARD_UPDATE_DEFINITIONS=1 to regenerate")
    }

    @Test("every queue is a quorum queue with a delivery limit and an at-least-once dead-letter route (or is a dead-letter queue)")
    func queuesFollowTheRules() {
        let topology = MessagingTopology.shipboard
        for queue in topology.queues {
            #expect(queue.arguments["x-queue-type"] == "quorum", "\(queue.name)")
            #expect(queue.arguments["x-delivery-limit"] != nil, "\(queue.name)")
            if !queue.name.hasSuffix(".dead") {
                #expect(queue.arguments["x-dead-letter-exchange"] != nil, "\(queue.name)")
            }
            // Every queue that dead-letters does so at least once (3.10 requires reject-publish for it).
            if queue.arguments["x-dead-letter-exchange"] != nil {
                #expect(queue.arguments["x-dead-letter-strategy"] == "at-least-once", "\(queue.name)")
                #expect(queue.arguments["x-overflow"] == "reject-publish", "\(queue.name)")
            }
        }
        // The default worker pool's deploy queue, bound to its pool's routing key only.
        #expect(topology.queues.contains { $0.name == "rollout.deploy.default" })
        #expect(topology.bindings.contains { $0.queue == "rollout.deploy.default" && $0.routingKey == DeployJob.routingKey(pool: "default") })
        #expect(!topology.queues.contains { $0.name == "rollout.deploy" }, "the old single deploy queue is gone")
        #expect(!topology.queues.contains { $0.name.contains(".retry.") }, "retries are in place, no delay queues")
    }

    @Test("the whole topology declares on the broker, twice (idempotent)")
    func declaresOnBroker() async throws {
        // Under names of its own, exchanges included: the shared test vhost may hold queues an
        // older version declared with other arguments (a re-declaration would be refused; see
        // README, Topology migration), and a queue bound to the shared `shipboard.events` would
        // take every other test's events (and deleting it under their publishes upsets 3.10).
        let prefix = "topo-\(UUID().uuidString.prefix(8).lowercased())."
        var topology = MessagingTopology.shipboard
        topology.exchanges = topology.exchanges.map {
            var exchange = $0
            exchange.name = prefix + exchange.name
            return exchange
        }
        topology.queues = topology.queues.map {
            var queue = $0
            queue.name = prefix + queue.name
            for key in ["x-dead-letter-exchange", "x-dead-letter-routing-key"] {
                if case .string(let value)? = queue.arguments[key] { queue.arguments[key] = .string(prefix + value) }
            }
            return queue
        }
        topology.bindings = topology.bindings.map {
            var binding = $0
            binding.queue = prefix + binding.queue
            binding.exchange = prefix + binding.exchange
            return binding
        }
        let configuration = try AMQPConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL"))
        let connection = try await AMQPConnection.connect(configuration)
        try await connection.declare(topology)
        try await connection.declare(topology)
        #expect(try await connection.queueCounts(prefix + "planning.commands.dead").consumers == 0)
        for queue in topology.queues { try await connection.deleteQueue(queue.name) }
        for exchange in topology.exchanges { try await connection.deleteExchange(exchange.name) }
        await connection.close()
    }
}
