import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// The broker or PostgreSQL restarted while two replicas deploy: deploy jobs sit in durable
/// quorum queues, outbox rows wait for the relay, leases expire and are taken back, and the
/// install ledger makes a repeated deploy do nothing, so the rollout still completes with
/// every target succeeded once and every task installed once.
@Suite("shipboard-rollout survives server restarts", .serialized)
struct RolloutRestartTests {
    /// 1 source to 1,200 targets at 4 sites; two replicas of 4 deploys at once, 20–60 ms each,
    /// take several seconds: long enough to restart a server in the middle.
    static let sites = [("S1", 300), ("S2", 300), ("S3", 300), ("S4", 300)]
    static let total = 1200

    /// Starts two replicas (`extra` added to their settings) and a 1,200-target rollout,
    /// runs `outage` once 200 targets have succeeded, and checks that it completed losing nothing
    /// and that the replicas felt the outage (`felt` is in a replica's log).
    static func rollOut(
        _ harness: RolloutProcessHarness, extra: [String: String] = [:], felt: String, outage: () async throws -> Void
    ) async throws {
        let fixture = RolloutFixture(sources: 1, sites: sites)
        try await fixture.insert(sha256: String(repeating: "d", count: 64), size: 1, owner: harness.owner)
        let settings = RolloutProcessHarness.simulated(latency: "uniform:20ms:60ms", extra: extra.merging(["SHIPBOARD_ROLLOUT_CONCURRENCY": "4"]) { _, new in new })
        try harness.launch("a", settings: settings)
        try harness.launch("b", settings: settings)
        let definition = RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), window: 100)
        try await harness.planAndStart(fixture.releaseKey, definition)
        try await harness.waitUntil(fixture.releaseKey, atLeast: 200, in: "succeeded")
        let before = try await harness.count(of: fixture.releaseKey, in: "succeeded")
        #expect(before < total, "the rollout ended before the outage: \(before) succeeded")
        let started = ContinuousClock.now
        try await outage()
        let final = try await harness.waitFor(fixture.releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(120))
        #expect(final == "completed")
        // The same two processes rode the outage out (none exited to be restarted).
        let running = harness.replicas.values.filter { $0.isRunning }.count
        #expect(running == 2, "a replica exited: see \(harness.folder)/a.log, b.log")
        print("rollout restart test: \(before) of \(total) succeeded at the outage; done \(ContinuousClock.now - started) after it began")
        try await harness.expectEverythingSucceededOnce(fixture, releaseKey: fixture.releaseKey)
        let logs = ["a", "b"].compactMap { try? String(contentsOfFile: harness.folder + "/\($0).log", encoding: .utf8) }
        #expect(logs.contains { $0.contains(felt) }, "no replica logged '\(felt)': the outage went unnoticed")
        let outcomes = try await harness.attemptOutcomes(of: fixture.releaseKey)
        print("rollout restart test: attempts by outcome \(outcomes.sorted { $0.key < $1.key })")
    }

    @Test("the fault broker killed and started again mid-rollout (1,200 simulated targets, two replicas): the rollout completes, every target succeeded once, each task installed once")
    func brokerRestartLosesNothing() async throws {
        try await RolloutProcessHarness.run { harness in
            try await Self.rollOut(harness, felt: "amqp connection lost") {
                try await FaultBroker.control("kill")
                try await Task.sleep(for: .seconds(1))
                try await FaultBroker.control("start")
            }
        }
    }

    @Test("the fault PostgreSQL stopped (fast shutdown) or killed (SIGKILL of every server process, then crash recovery) and started again mid-rollout (1,200 simulated targets, two replicas on it): the rollout completes, every target succeeded once, each task installed once", arguments: [FaultPostgres.Outage.stop, .kill])
    func postgresRestartLosesNothing(_ outage: FaultPostgres.Outage) async throws {
        try await FaultPostgres.exclusively {
            try await RolloutProcessHarness.run(database: FaultPostgres.configuration(.owner)) { harness in
                try await Self.rollOut(
                    harness, extra: ["SHIPBOARD_DATABASE_URL": try FaultPostgres.url(.service)], felt: "postgres listener lost its connection"
                ) {
                    try await FaultPostgres.withOutage(outage) {
                        try await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }
}
