import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// shipboard-rollout as separate processes over the real servers, deploying a real image with
/// the `local` driver (a folder per target CI).
@Suite("shipboard-rollout as processes", .serialized)
struct RolloutProcessTests {
    /// The seed's shape: 2 sources to 20 servers at 3 sites.
    static let seedSites = [("FRA1", 7), ("AMS1", 7), ("LON1", 6)]

    @Test("the seed rollout (2 sources → 20 targets at 3 sites, a canary wave, then a wave per site) completes: 40 targets succeeded, each installed once, every transition announced")
    func seedRolloutCompletes() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sites: Self.seedSites)
            let dml = try RolloutDMLServer(folder: harness.folder)
            try await fixture.insert(sha256: dml.sha256, size: dml.size, owner: harness.owner)
            try await dml.serve { url in
                harness.dmlURL = url
                try harness.launch("r1")
                let definition = RolloutDefinition(
                    targets: RolloutTargetSelection(sites: fixture.sites), canary: 2, siteOrder: ["FRA1", "AMS1", "LON1"].map(fixture.site), window: 4)
                let dryRun = try await harness.send(
                    RequestRolloutPlan(releaseKey: fixture.releaseKey, definition: definition, dryRun: true), releaseKey: fixture.releaseKey)
                #expect(dryRun.dryRun && dryRun.plan.rollouts.count == 40 && dryRun.plan.waves.count == 4)
                let stored = try await harness.owner.query(
                    "SELECT count(*) FROM rollout.rollouts WHERE release_key = \(fixture.releaseKey)").single().decode(at: 0, as: Int.self)
                #expect(stored == 0, "a dry run stores nothing")
                let planned = try await harness.send(
                    RequestRolloutPlan(releaseKey: fixture.releaseKey, definition: definition), releaseKey: fixture.releaseKey)
                #expect(!planned.dryRun && planned.plan == dryRun.plan)
                let started = try await harness.send(RequestRolloutStart(releaseKey: fixture.releaseKey), releaseKey: fixture.releaseKey)
                #expect(started.state == .running)
                let events = try await harness.receive(of: fixture.releaseKey) { $0.contains(RolloutCompleted.messageType) }
                #expect(events.filter { $0 == RolloutTargetSucceeded.messageType }.count == 40)
                #expect(events.filter { $0 == RolloutWaveCompleted.messageType }.count == 4)
                #expect(events.first == RolloutPlannedEvent.messageType)
                let states = try await harness.states(of: fixture.releaseKey)
                #expect(states.rollout == "completed" && states.targets.count == 40 && Set(states.targets.values) == ["succeeded"])
                // The local driver's ledger: every rollout task installed exactly once.
                let ledger = InstallLedger(targetsRoot: harness.folder + "/targets")
                var installs: [String: Int] = [:]
                for key in fixture.targetKeys {
                    for entry in ledger.entries(ciKey: key) { installs[entry.taskKey, default: 0] += 1 }
                    #expect(FileManager.default.fileExists(atPath: harness.folder + "/targets/\(key)/opt/app/app.conf"))
                }
                #expect(installs.count == 40 && installs.values.allSatisfy { $0 == 1 })
                // The canary went first: its targets succeeded before any other wave's started.
                let order = try await harness.owner.query(
                    """
                    SELECT t.wave, min(a.started_at), max(a.finished_at) FROM rollout.targets t
                    JOIN rollout.attempts a ON a.rollout_id = t.rollout_id AND a.task_key = t.task_key
                    JOIN rollout.rollouts r ON r.id = t.rollout_id
                    WHERE r.release_key = \(fixture.releaseKey) GROUP BY t.wave ORDER BY t.wave
                    """).map { try $0.decode((Int, Date, Date).self) }
                #expect(order.count == 4)
                // One deploy at a time per host: the two sources' attempts at a server never overlap.
                let overlapping = try await harness.owner.query(
                    """
                    SELECT count(*) FROM rollout.attempts a JOIN rollout.targets t ON t.rollout_id = a.rollout_id AND t.task_key = a.task_key
                    JOIN rollout.attempts b ON b.rollout_id = a.rollout_id AND b.task_key > a.task_key
                    JOIN rollout.targets u ON u.rollout_id = b.rollout_id AND u.task_key = b.task_key AND u.target = t.target
                    JOIN rollout.rollouts r ON r.id = a.rollout_id
                    WHERE r.release_key = \(fixture.releaseKey) AND a.started_at < b.finished_at AND b.started_at < a.finished_at
                    """).single().decode(at: 0, as: Int.self)
                #expect(overlapping == 0)
                for (earlier, later) in zip(order, order.dropFirst()) { #expect(earlier.2 <= later.1, "wave \(earlier.0) overlapped wave \(later.0)") }
            }
        }
    }
}
