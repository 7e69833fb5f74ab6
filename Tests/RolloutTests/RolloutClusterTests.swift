import AMQP
import Contracts
import Foundation
import Messaging
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// A 3-node RabbitMQ cluster on loopback (`Infra/scripts/rabbitmq-cluster.sh`): the rollout
/// service's quorum queues get three members, and a rollout completes while one node that
/// the replicas are not connected to is stopped.
@Suite("shipboard-rollout on a RabbitMQ cluster", .serialized)
struct RolloutClusterTests {
    /// The cluster's control script (this file is `Tests/RolloutTests/…`).
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Infra/scripts/rabbitmq-cluster.sh").path

    @discardableResult
    static func cluster(_ verb: String...) async throws -> String {
        try await ControlScript.run(([script] + verb).joined(separator: " ")).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("on a 3-node cluster, replicas connected to node 1, the deploy queue a quorum queue of 3 members: node 3 is stopped mid-rollout (1,500 simulated targets, two replicas) and the rollout completes, every target succeeded once, each task installed once")
    func completesWithANodeStopped() async throws {
        try await CrossProcessLock.exclusively("shipboard-rabbitmq-cluster") {
            try await Self.cluster("start")
            do {
                let url = try await Self.cluster("url", "1").split(separator: "\n").last.map(String.init) ?? ""
                try await RolloutProcessHarness.run(amqpURL: url) { harness in
                    let fixture = RolloutFixture(sources: 1, sites: [("S1", 500), ("S2", 500), ("S3", 500)])
                    try await fixture.insert(sha256: String(repeating: "e", count: 64), size: 1, owner: harness.owner)
                    // About 28 s of deploys (1,500 × 150 ms ÷ 8): stopping a node took longer than
                    // the 7 s the rollout lasted at 20-60 ms, and it had ended before node 3 was down.
                    let settings = RolloutProcessHarness.simulated(latency: "uniform:100ms:200ms", extra: ["SHIPBOARD_ROLLOUT_CONCURRENCY": "4"])
                    try harness.launch("a", settings: settings)
                    try harness.launch("b", settings: settings)
                    let definition = RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), window: 100)
                    try await harness.planAndStart(fixture.releaseKey, definition)
                    // The replicas declared their queues on node 1: quorum queues spread over all three.
                    #expect(try await Self.cluster("members", "rollout.deploy.default") == "3")
                    #expect(try await Self.cluster("members", "rollout.commands") == "3")
                    try await harness.waitUntil(fixture.releaseKey, atLeast: 50, in: "succeeded")
                    try await Self.cluster("stop-node", "3")
                    let stopped = try await harness.count(of: fixture.releaseKey, in: "succeeded")
                    #expect(stopped < 1500, "the rollout ended before node 3 was down")
                    let final = try await harness.waitFor(fixture.releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(180))
                    #expect(final == "completed")
                    print("rollout cluster test: \(stopped) of 1500 succeeded when node 3 was down")
                    try await harness.expectEverythingSucceededOnce(fixture, releaseKey: fixture.releaseKey)
                }
            } catch {
                _ = try? await Self.cluster("stop")
                throw error
            }
            try await Self.cluster("stop")
        }
    }
}
