import Contracts
import Foundation
import GatewayCore
import Postgres
import ShipboardTestSupport
import Testing

/// The gateway's reads of shipboard-rollout's tables on the real database, as the service
/// role, over rows written as the owner (``RolloutFixture``).
@Suite("Gateway queries over a rollout")
struct GatewayRolloutQueriesTests {
    @Test("status: counts, percent, rate and ETA overall, per wave and per site; a site whose pool has no live worker waits")
    func status() async throws {
        let fixture = try await RolloutFixture.withNineTargets()
        defer { Task { await fixture.close() } }
        let status = try await RolloutQueries(pool: fixture.service).status(of: fixture.releaseKey)

        #expect(status.id == fixture.rolloutId.uuidString.lowercased() && status.state == "paused" && status.image == "payroll@4.2.0")
        #expect(status.currentWave == 1 && status.haltAfterFailures == 2 && status.plannedBy == "rita" && status.startedBy == "olga")
        let overall = status.progress
        #expect(overall.counts.total == 9 && overall.counts.succeeded == 3 && overall.counts.failed == 1)
        #expect(overall.counts.running == 3 && overall.counts.pending == 2)
        #expect(overall.settled == 4 && overall.percent == 44 && overall.settledLastMinute == 3)
        #expect(overall.etaSeconds == 100, "5 remaining at 3 a minute")

        #expect(status.waves.map(\.index) == [0, 1, 2] && status.waves.map(\.kind) == ["canary", "site", "site"])
        #expect(status.waves[0].gateAfter == .approval && status.waves[0].approvedBy == "anna" && status.waves[0].completedAt != nil)
        #expect(status.waves[1].gateAfter == .pause(seconds: 300) && status.waves[1].completedAt == nil)
        #expect(status.waves.map(\.progress.counts.total) == [2, 4, 3])
        #expect(status.waves.map(\.progress.settled) == [2, 2, 0])

        let sites = Dictionary(uniqueKeysWithValues: status.sites.map { ($0.site, $0) })
        let dc1 = try #require(sites["dc1"]), dc2 = try #require(sites["dc2"])
        #expect(dc1.pool == fixture.pools.west && dc1.liveWorkers == 1 && dc1.waiting == 0)
        #expect(dc1.progress.counts.total == 5 && dc1.progress.settled == 3 && dc1.progress.etaSeconds == 40)
        #expect(dc2.pool == fixture.pools.east && dc2.liveWorkers == 0 && dc2.waiting == 2, "dispatched to a gone pool: waiting")
        #expect(dc2.progress.counts.failed == 0 && dc2.progress.etaSeconds == nil, "waiting is not failing, and nothing moved")
    }

    @Test("targets: deploy order, filters by state, site and wave, pages by cursor; one target with its attempts and logs")
    func targets() async throws {
        let fixture = try await RolloutFixture.withNineTargets()
        defer { Task { await fixture.close() } }
        let queries = RolloutQueries(pool: fixture.service)

        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter(limit: 4, afterTaskKey: cursor))
            #expect(page.items.count <= 4)
            seen += page.items.map(\.target)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == (1...9).map { "CI-SRV-000\($0)" }, "every target once, wave by wave in position order")

        let running = try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter(state: .running)).items
        #expect(running.map(\.target) == ["CI-SRV-0005", "CI-SRV-0007", "CI-SRV-0008"])
        #expect(running.map(\.waitingForWorker) == [false, true, true])
        #expect(running[0].leaseOwner == fixture.pools.west + "-1")
        let dc2Wave2 = try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter(site: "dc2", wave: 2)).items
        #expect(dc2Wave2.map(\.target) == ["CI-SRV-0007", "CI-SRV-0008", "CI-SRV-0009"])
        #expect(try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter(site: "nowhere")).items.isEmpty)

        let failed = try await queries.target(of: fixture.releaseKey, taskKey: "rollout-ci-app-0001-ci-srv-0004")
        #expect(failed.target.state == "failed" && failed.target.detail == "verify.sh exited 1" && failed.target.attempts == 2)
        #expect(failed.attempts.map(\.attempt) == [2, 1] && failed.attempts[0].log == "second try\nexit 1")
        #expect(failed.attempts[1].durationMs == 10_000 && failed.attempts[1].outcome == "failed")
        let list = try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter(state: .failed)).items
        #expect(list.count == 1)

        await #expect(throws: CommandError.self) { try await queries.target(of: fixture.releaseKey, taskKey: "rollout-none") }
        for hostile in [String(repeating: "k", count: 300), "rollout-\u{0}", "../../etc/passwd\n"] {
            await #expect(throws: CommandError.self) { try await queries.target(of: fixture.releaseKey, taskKey: hostile) }
        }
    }

    @Test("a release without a rollout is not found; its latest rollout is the one shown")
    func noRollout() async throws {
        let fixture = try await RolloutFixture.make()
        defer { Task { await fixture.close() } }
        let queries = RolloutQueries(pool: fixture.service)
        await #expect(throws: CommandError.self) { try await queries.status(of: fixture.releaseKey) }
        await #expect(throws: CommandError.self) { try await queries.targets(of: fixture.releaseKey, RolloutTargetFilter()) }
        do {
            _ = try await queries.status(of: fixture.releaseKey)
        } catch let error as CommandError {
            #expect(error.kind == .notFound && error.rule == "rollout.exists")
        }
    }

    @Test("10,000 targets: the counts add up per site and overall")
    func manyTargets() async throws {
        let fixture = try await RolloutFixture.withNineTargets()
        defer { Task { await fixture.close() } }
        try await fixture.insertMany(10_000)
        let status = try await RolloutQueries(pool: fixture.service).status(of: fixture.releaseKey)
        #expect(status.progress.counts.total == 10_009)
        let dc3 = try #require(status.sites.first { $0.site == "dc3" })
        #expect(dc3.progress.counts.total == 10_000 && dc3.progress.counts.succeeded == 3_333 && dc3.progress.settledLastMinute == 3_333)
        #expect(status.waves[2].progress.counts.total == 10_003)
        let page = try await RolloutQueries(pool: fixture.service).targets(of: fixture.releaseKey, RolloutTargetFilter(site: "dc3", limit: 200))
        #expect(page.items.count == 200 && page.nextCursor == "rollout-bulk-000200")
    }
}
