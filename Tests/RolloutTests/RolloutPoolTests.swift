import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// Worker pools limited to sites: deploy jobs are routed by site to `rollout.deploy.<pool>`,
/// so each pool's replicas deploy only their sites' targets, and a site whose pool has no
/// running replica waits (dispatched, unclaimed) instead of failing.
@Suite("shipboard-rollout worker pools", .serialized)
struct RolloutPoolTests {
    @Test("pool east (sites 1 and 2) and pool west (site 3): with west's only replica killed, the west site's targets are dispatched to west and wait unclaimed, never failed, while east completes its sites; a new west replica then deploys them and each replica deployed only its own sites")
    func poolsDeployOnlyTheirSites() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: [("E1", 15), ("E2", 15), ("W1", 15)])
            try await fixture.insert(sha256: String(repeating: "c", count: 64), size: 1, owner: harness.owner)
            let east = RolloutProcessHarness.simulated(latency: "uniform:1ms:5ms", extra: [
                "SHIPBOARD_ROLLOUT_POOL": "east", "SHIPBOARD_ROLLOUT_SITES": fixture.sites[0] + "," + fixture.sites[1],
            ])
            let west = RolloutProcessHarness.simulated(latency: "uniform:1ms:5ms", extra: [
                "SHIPBOARD_ROLLOUT_POOL": "west", "SHIPBOARD_ROLLOUT_SITES": fixture.sites[2],
            ])
            // Replica names are rows in the shared workers table: unique per test run.
            let (eastName, westFirst, westSecond) = ("east-\(fixture.tag)", "west-\(fixture.tag)-1", "west-\(fixture.tag)-2")
            try harness.launch(eastName, settings: east)
            try harness.launch(westFirst, settings: west)
            // West registers (so the site's jobs go to its queue), then dies without a word.
            try await harness.waitForWorker(westFirst)
            try await harness.waitForWorker(eastName)
            harness.kill9(westFirst)

            let definition = RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), siteOrder: fixture.sites, window: 15)
            try await harness.planAndStart(fixture.releaseKey, definition)
            // East's two sites succeed; then the west wave opens and all its targets are dispatched.
            try await harness.waitUntil(fixture.releaseKey, atLeast: 30, in: "succeeded")
            try await harness.waitUntil(fixture.releaseKey, atLeast: 15, in: "running")
            // Longer than a lease (3 s) and several coordinator passes: they keep waiting.
            try await Task.sleep(for: .seconds(4))
            let waiting = try await harness.owner.query(
                """
                SELECT t.site, t.state, t.pool, t.lease_owner IS NULL, count(*) FROM rollout.targets t JOIN rollout.rollouts r ON r.id = t.rollout_id
                WHERE r.release_key = \(fixture.releaseKey) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2
                """).map { try $0.decode((String, String, String?, Bool, Int).self) }
            let westRows = waiting.filter { $0.0 == fixture.sites[2] }
            #expect(westRows.count == 1 && westRows.first?.1 == "running" && westRows.first?.2 == "west" && westRows.first?.3 == true
                    && westRows.first?.4 == 15, "the west site: \(westRows)")
            #expect(waiting.filter { $0.0 != fixture.sites[2] }.allSatisfy { $0.1 == "succeeded" && $0.2 == "east" }, "\(waiting)")
            #expect(try await harness.states(of: fixture.releaseKey).rollout == "running")
            let westAttempts = try await attemptsBySite(fixture.releaseKey, harness)[fixture.sites[2]] ?? [:]
            #expect(westAttempts.isEmpty, "nothing claimed the west site's jobs: \(westAttempts)")

            try harness.launch(westSecond, settings: west)
            #expect(try await harness.waitFor(fixture.releaseKey, states: ["completed", "backed_out", "halted"], limit: .seconds(60)) == "completed")
            try await harness.expectEverythingSucceededOnce(fixture, releaseKey: fixture.releaseKey)
            let bySite = try await attemptsBySite(fixture.releaseKey, harness)
            #expect(bySite[fixture.sites[0]] == [eastName: 15] && bySite[fixture.sites[1]] == [eastName: 15], "\(bySite)")
            #expect(bySite[fixture.sites[2]] == [westSecond: 15], "\(bySite)")
        }
    }

    /// Site → replica → attempts it recorded there (`rollout.attempts.replica`).
    func attemptsBySite(_ releaseKey: String, _ harness: RolloutProcessHarness) async throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for row in try await harness.owner.query(
            """
            SELECT t.site, a.replica, count(*) FROM rollout.attempts a
            JOIN rollout.targets t ON t.rollout_id = a.rollout_id AND t.task_key = a.task_key
            JOIN rollout.rollouts r ON r.id = a.rollout_id
            WHERE r.release_key = \(releaseKey) GROUP BY 1, 2
            """) {
            let (site, replica, count) = try row.decode((String, String, Int).self)
            result[site, default: [:]][replica] = count
        }
        return result
    }
}
