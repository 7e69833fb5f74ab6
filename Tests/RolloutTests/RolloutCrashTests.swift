import Contracts
import Foundation
import Glibc
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// Replicas killed with SIGKILL while they deploy: every target still ends in exactly one
/// terminal state and no rollout task is installed twice to completion.
@Suite("shipboard-rollout survives kill -9", .serialized)
struct RolloutCrashTests {
    @Test("kill -9 of a replica every 2 s during a 2,000-target simulated rollout on two replicas: the rollout completes, every target succeeded once, the install ledger holds each task once, and the dead replicas' attempts are abandoned and retried")
    func killedReplicasLoseNothing() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: [("S1", 500), ("S2", 500), ("S3", 500), ("S4", 500)])
            try await fixture.insert(sha256: String(repeating: "a", count: 64), size: 1, owner: harness.owner)
            let settings = [
                "SHIPBOARD_ROLLOUT_DRIVER": "simulated", "SHIPBOARD_ROLLOUT_SIMULATED_LATENCY": "uniform:100ms:200ms",
                "SHIPBOARD_ROLLOUT_SIMULATED_LEDGER": "true", "SHIPBOARD_ROLLOUT_LEASE_SECONDS": "2",
            ]
            try harness.launch("a", settings: settings)
            try harness.launch("b", settings: settings)
            // Four waves of 500 at 25 at a time and 100–200 ms a deploy: at least 12 s however idle
            // the machine, so several kills land while it runs (it once ended before the second).
            let definition = RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), window: 25)
            _ = try await harness.send(RequestRolloutPlan(releaseKey: fixture.releaseKey, definition: definition), releaseKey: fixture.releaseKey)
            _ = try await harness.send(RequestRolloutStart(releaseKey: fixture.releaseKey), releaseKey: fixture.releaseKey)
            var kills = 0, generation = 0
            let deadline = ContinuousClock.now + .seconds(240)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(2))
                let state = try await harness.states(of: fixture.releaseKey).rollout
                if ["completed", "backed_out", "halted", "aborted"].contains(state) { break }
                let victim = kills % 2 == 0 ? "a" : "b"
                harness.kill9(victim)
                kills += 1
                generation += 1
                try harness.launch(victim, settings: settings.merging(["SHIPBOARD_ROLLOUT_REPLICA": "\(victim)-\(generation)"]) { _, new in new })
            }
            let final = try await harness.waitFor(fixture.releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(120))
            #expect(final == "completed")
            #expect(kills >= 2, "the rollout ended before two replicas were killed")
            let states = try await harness.states(of: fixture.releaseKey)
            #expect(states.targets.count == 2000 && states.targets.values.allSatisfy { $0 == "succeeded" })
            let ledger = InstallLedger(targetsRoot: harness.folder + "/targets")
            var installs: [String: Int] = [:]
            for key in fixture.targetKeys {
                for entry in ledger.entries(ciKey: key) { installs[entry.taskKey, default: 0] += 1 }
            }
            #expect(installs.count == 2000)
            #expect(installs.values.allSatisfy { $0 == 1 }, "installed twice: \(installs.filter { $0.value > 1 }.keys.prefix(5))")
            // Exactly one attempt per target ended succeeded; killed ones were abandoned (or superseded).
            let outcomes = try await harness.owner.query(
                """
                SELECT a.outcome, count(*) FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id
                WHERE r.release_key = \(fixture.releaseKey) GROUP BY a.outcome
                """).map { try $0.decode((String, Int64).self) }
            let byOutcome = Dictionary(uniqueKeysWithValues: outcomes)
            #expect(byOutcome["succeeded"] == 2000 && byOutcome["running"] == nil, "\(byOutcome)")
        }
    }
}
