import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// What the later process tests (replica counts, pools, restarts, a cluster) do alike:
/// plan and start a rollout, wait for its end, and read what happened from the rows and
/// the install ledger.
extension RolloutProcessHarness {
    /// The settings of a `simulated` replica that records its installs in the ledger.
    static func simulated(latency: String, extra: [String: String] = [:]) -> [String: String] {
        [
            "SHIPBOARD_ROLLOUT_DRIVER": "simulated", "SHIPBOARD_ROLLOUT_SIMULATED_LATENCY": latency,
            "SHIPBOARD_ROLLOUT_SIMULATED_LEDGER": "true",
        ].merging(extra) { _, new in new }
    }

    /// Plans `releaseKey` with `definition` and starts it.
    func planAndStart(_ releaseKey: String, _ definition: RolloutDefinition) async throws {
        _ = try await send(RequestRolloutPlan(releaseKey: releaseKey, definition: definition), releaseKey: releaseKey)
        let started = try await send(RequestRolloutStart(releaseKey: releaseKey), releaseKey: releaseKey)
        #expect(started.state == .running)
    }

    /// How many targets of `releaseKey`'s latest rollout are in `state`.
    func count(of releaseKey: String, in state: String) async throws -> Int {
        try await owner.query(
            """
            SELECT count(*) FROM rollout.targets t JOIN rollout.rollouts r ON r.id = t.rollout_id
            WHERE r.id = (SELECT id FROM rollout.rollouts WHERE release_key = \(releaseKey) ORDER BY planned_at DESC LIMIT 1)
              AND t.state = \(state)
            """).single().decode(at: 0, as: Int.self)
    }

    /// Waits until at least `count` targets of `releaseKey` are in `state`, polling the rows.
    func waitUntil(_ releaseKey: String, atLeast count: Int, in state: String, limit: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let seen = try? await self.count(of: releaseKey, in: state), seen >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("fewer than \(count) targets of \(releaseKey) became \(state)")
        throw CancellationError()
    }

    /// Rollout task → how many times the ledger under this folder's targets records it installed.
    func installs(of fixture: RolloutFixture) -> [String: Int] {
        let ledger = InstallLedger(targetsRoot: folder + "/targets")
        var installs: [String: Int] = [:]
        for key in fixture.targetKeys {
            for entry in ledger.entries(ciKey: key) { installs[entry.taskKey, default: 0] += 1 }
        }
        return installs
    }

    /// The outcomes of `releaseKey`'s attempts, with how many ended so.
    func attemptOutcomes(of releaseKey: String) async throws -> [String: Int64] {
        let rows = try await owner.query(
            """
            SELECT a.outcome, count(*) FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id
            WHERE r.release_key = \(releaseKey) GROUP BY a.outcome
            """).map { try $0.decode((String, Int64).self) }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    /// Every target succeeded, each task installed exactly once, one succeeded attempt per
    /// target and none left running: what "lose nothing" means for a rollout of `fixture`.
    func expectEverythingSucceededOnce(_ fixture: RolloutFixture, releaseKey: String) async throws {
        let states = try await states(of: releaseKey)
        #expect(states.rollout == "completed")
        #expect(states.targets.count == fixture.servers.count * fixture.sources.count)
        #expect(states.targets.values.allSatisfy { $0 == "succeeded" }, "\(Dictionary(grouping: states.targets.values) { $0 }.mapValues(\.count))")
        let installs = installs(of: fixture)
        #expect(installs.count == states.targets.count)
        #expect(installs.values.allSatisfy { $0 == 1 }, "installed twice: \(installs.filter { $0.value > 1 }.keys.prefix(5))")
        let outcomes = try await attemptOutcomes(of: releaseKey)
        #expect(outcomes["succeeded"] == Int64(states.targets.count) && outcomes["running"] == nil, "\(outcomes)")
    }

    /// Waits until replica `name` has registered in `rollout.workers` (replicas of a test need
    /// names of their own: a killed replica's row stays).
    func waitForWorker(_ name: String) async throws {
        for _ in 0..<300 {
            let rows = try await owner.query("SELECT 1 FROM rollout.workers WHERE replica = \(name)")
            if rows.count > 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("replica \(name) never registered")
        throw CancellationError()
    }
}
