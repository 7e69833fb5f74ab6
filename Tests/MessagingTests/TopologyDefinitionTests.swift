import AMQP
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

    @Test("every queue is a quorum queue with a delivery limit and a dead-letter route (or is a dead-letter queue)")
    func queuesFollowTheRules() {
        let topology = MessagingTopology.shipboard
        for queue in topology.queues {
            #expect(queue.arguments["x-queue-type"] == "quorum", "\(queue.name)")
            #expect(queue.arguments["x-delivery-limit"] != nil, "\(queue.name)")
            if !queue.name.hasSuffix(".dead") {
                #expect(queue.arguments["x-dead-letter-exchange"] != nil, "\(queue.name)")
            }
        }
        #expect(topology.queues.contains { $0.name == "rollout.deploy" })
        #expect(topology.queues.contains { $0.name == "planning.commands.retry.1" })
    }

    @Test("the whole topology declares on the broker, twice (idempotent)")
    func declaresOnBroker() async throws {
        let configuration = try AMQPConfiguration(url: MessagingTestEnvironment.value("SHIPBOARD_TEST_AMQP_URL"))
        let connection = try await AMQPConnection.connect(configuration)
        try await connection.declare(MessagingTopology.shipboard)
        try await connection.declare(MessagingTopology.shipboard)
        #expect(try await connection.queueCounts("planning.commands.dead").consumers == 0)
        await connection.close()
    }
}
