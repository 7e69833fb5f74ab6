import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// The same rollout run with 1, then 2, then 4 replicas ends the same way: the `simulated`
/// driver draws each deploy's failure from its task key and attempt number (not the rollout,
/// the replica or the order), so three releases rolled out to the same target CIs must fail
/// and succeed on the same targets whoever deploys them.
@Suite("shipboard-rollout: 1, 2 and 4 replicas", .serialized)
struct RolloutReplicaCountTests {
    /// 1 source to 150 targets at 3 sites: a wave per site.
    static let sites = [("S1", 50), ("S2", 50), ("S3", 50)]
    static let failurePercent = 15

    /// Replicas (started as the count grows: 1, then 2, then 4), each with a concurrency of 8
    /// so a window of 24 spreads over them.
    static let settings = RolloutProcessHarness.simulated(latency: "uniform:2ms:10ms", extra: [
        "SHIPBOARD_ROLLOUT_SIMULATED_LEDGER": "false", "SHIPBOARD_ROLLOUT_CONCURRENCY": "8",
        "SHIPBOARD_ROLLOUT_SIMULATED_FAILURE_PERCENT": "\(failurePercent)",
    ])

    /// The task keys whose first attempt the simulated driver fails (`RolloutSettings` seeds it with 1).
    static func failingTasks(_ fixture: RolloutFixture) -> Set<String> {
        let driver = SimulatedDriver(latency: .fixed(.zero), failureRate: Double(failurePercent) / 100, seed: 1)
        let keys = fixture.targetKeys.map { RolloutTaskKey.make(source: fixture.sources[0], target: $0) }
        return Set(keys.filter { key in
            driver.draw(DeployAttempt(
                image: DeployImage(archive: "", sha256: "", name: "", version: "", releaseKey: ""),
                target: DeployTarget(ciKey: "", site: ""), rolloutID: "", taskKey: key, attempt: 1)).fails
        })
    }

    /// Runs `body` once per replica count (1, 2, 4) with that many replicas running, on a new
    /// release of `fixture`'s CIs each time (version 1.0.N), and returns what each body returned.
    static func perReplicaCount<Value>(
        _ harness: RolloutProcessHarness, _ fixture: RolloutFixture, _ body: (String, Int) async throws -> Value
    ) async throws -> [Int: Value] {
        try await fixture.insert(sha256: String(repeating: "b", count: 64), size: 1, owner: harness.owner)
        var results: [Int: Value] = [:]
        for (round, count) in [1, 2, 4].enumerated() {
            for index in harness.replicas.count..<count {
                try harness.launch(replica(index + 1, fixture), settings: settings)
                // Consuming before the rollout starts, or the earlier replicas could do it all.
                try await harness.waitForWorker(replica(index + 1, fixture))
            }
            let releaseKey = round == 0 ? fixture.releaseKey : "REL-8\(Int.random(in: 100_000...999_999))"
            if round > 0 {
                try await fixture.insertRelease(releaseKey, version: "1.0.\(round)", sha256: String(repeating: "b", count: 64), size: 1, owner: harness.owner)
            }
            results[count] = try await body(releaseKey, count)
        }
        return results
    }

    /// Replica `number`'s name: of this test's own (killed replicas' rows stay in `rollout.workers`).
    static func replica(_ number: Int, _ fixture: RolloutFixture) -> String { "r\(number)-\(fixture.tag)" }

    /// The replicas that recorded attempts for `releaseKey`.
    static func replicas(of releaseKey: String, _ harness: RolloutProcessHarness) async throws -> Set<String> {
        Set(try await harness.owner.query(
            """
            SELECT DISTINCT a.replica FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id
            WHERE r.release_key = \(releaseKey)
            """).map { try $0.decode(at: 0, as: String.self) })
    }

    @Test("a threshold that does not halt (50%, 15% of deploys failing): with 1, 2 and 4 replicas every target settles the same way (those whose draw fails failed, the rest succeeded), the rollout waits for a decision, excluding the failed ones completes it, and the work spreads over the replicas")
    func sameFinalStateWithoutHalt() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: Self.sites)
            let expectedFailed = Self.failingTasks(fixture)
            #expect(!expectedFailed.isEmpty && expectedFailed.count < 60, "the draw: \(expectedFailed.count) of 150 fail")
            let finals = try await Self.perReplicaCount(harness, fixture) { releaseKey, count in
                let definition = RolloutDefinition(
                    targets: RolloutTargetSelection(sites: fixture.sites), siteOrder: fixture.sites, window: 24, failureThreshold: .percent(50))
                try await harness.planAndStart(releaseKey, definition)
                // Every target settles; with failures below the threshold the rollout then waits for a decision.
                let settled = try await harness.waitUntilSettled(releaseKey)
                #expect(settled.rollout == "running", "with \(count) replica(s) it is \(settled.rollout), not waiting for a decision")
                let used = try await Self.replicas(of: releaseKey, harness)
                #expect(count == 1 ? used == [Self.replica(1, fixture)] : used.count >= 2, "with \(count) replica(s) the attempts came from \(used.sorted())")
                // Excluding the failed targets is the decision: the rollout completes.
                let failed = settled.targets.filter { $0.value == "failed" }.keys.sorted()
                _ = try await harness.send(
                    ControlRollout(releaseKey: releaseKey, action: .exclude, targets: failed, reason: "replica-count test"), releaseKey: releaseKey)
                let final = try await harness.waitFor(releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(60))
                #expect(final == "completed", "with \(count) replica(s)")
                return settled.targets
            }
            for (count, targets) in finals.sorted(by: { $0.key < $1.key }) {
                #expect(targets.count == 150)
                let failed = Set(targets.filter { $0.value == "failed" }.keys)
                let succeeded = Set(targets.filter { $0.value == "succeeded" }.keys)
                #expect(failed == expectedFailed, "with \(count) replica(s): \(failed.symmetricDifference(expectedFailed).sorted().prefix(5))")
                #expect(succeeded.count + failed.count == 150, "with \(count) replica(s) some target ended neither failed nor succeeded")
            }
            print("rollout replica counts, not halting: \(expectedFailed.count) of 150 failed with each count \(finals.mapValues { $0.values.filter { $0 == "failed" }.count }.sorted { $0.key < $1.key })")
            #expect(finals[1] == finals[2] && finals[2] == finals[4])
        }
    }

    @Test("a threshold that halts in the second wave (a count one above the first wave's failures): with 1, 2 and 4 replicas the rollout halts in that wave, the earlier waves end alike, nothing of the halted wave stays installed, and it ends backed out")
    func sameBackoutWhenHalted() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: Self.sites)
            let expectedFailed = Self.failingTasks(fixture)
            let waveOf = Dictionary(uniqueKeysWithValues: fixture.servers.map { server in
                (RolloutTaskKey.make(source: fixture.sources[0], target: server.key), fixture.sites.firstIndex(of: server.site)!)
            })
            // A threshold one above the first wave's failures: that wave ends with them, and the
            // second wave (which has failures of its own) halts, so there is an earlier wave to compare.
            let failuresIn = (0..<3).map { wave in expectedFailed.filter { waveOf[$0] == wave }.count }
            try #require(failuresIn[1] > 0, "the draw fails nothing in the second wave: \(failuresIn)")
            let threshold = failuresIn[0] + 1
            let haltWave = 1
            let finals = try await Self.perReplicaCount(harness, fixture) { releaseKey, count in
                let definition = RolloutDefinition(
                    targets: RolloutTargetSelection(sites: fixture.sites), siteOrder: fixture.sites, window: 24, failureThreshold: .count(threshold))
                try await harness.planAndStart(releaseKey, definition)
                let final = try await harness.waitFor(releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(60))
                #expect(final == "backed_out", "with \(count) replica(s)")
                let wave = try await harness.owner.query(
                    "SELECT current_wave FROM rollout.rollouts WHERE release_key = \(releaseKey)").single().decode(at: 0, as: Int.self)
                return (wave: wave, targets: try await harness.states(of: releaseKey).targets)
            }
            for (count, final) in finals.sorted(by: { $0.key < $1.key }) {
                #expect(final.wave == haltWave, "with \(count) replica(s) it halted in wave \(final.wave)")
                for (key, state) in final.targets {
                    let wave = waveOf[key]!
                    if wave < haltWave {
                        #expect(state == (expectedFailed.contains(key) ? "failed" : "succeeded"), "\(key) in an earlier wave is \(state)")
                    } else if wave == haltWave {
                        // Deploys in flight at the halt finish (and are backed out when they succeed).
                        #expect(["failed", "backed_out", "pending"].contains(state), "\(key) in the halted wave is \(state)")
                        if state == "failed" { #expect(expectedFailed.contains(key), "\(key) failed but its draw succeeds") }
                    } else {
                        #expect(state == "pending", "\(key) in a later wave is \(state)")
                    }
                }
                #expect(final.targets.values.filter { $0 == "failed" }.count >= threshold)
            }
            print("rollout replica counts, halting: failures drawn per wave \(failuresIn), threshold \(threshold); halted wave by count \(finals.mapValues(\.wave).sorted { $0.key < $1.key }); backed out by count \(finals.mapValues { $0.targets.values.filter { $0 == "backed_out" }.count }.sorted { $0.key < $1.key })")
            // What is comparable across the counts: the earlier waves, target by target.
            let earlier = finals.mapValues { $0.targets.filter { waveOf[$0.key]! < haltWave } }
            #expect(earlier[1] == earlier[2] && earlier[2] == earlier[4])
        }
    }
}
