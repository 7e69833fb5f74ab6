import Contracts
import RolloutCore
import Testing

/// The seed's shape: 2 sources × 20 targets over 3 sites = 40 rollouts, one task each, and
/// what canaries, windows, thresholds, gates and backout scopes do to it.
@Suite("Rollout plan: the seed's 2 sources × 20 targets over 3 sites")
struct RolloutPlanSeedTests {
    typealias F = RolloutPlanFixtures

    @Test("40 rollouts, one per unique source → target pair, one wave per site in the configured order")
    func seedShape() throws {
        let plan = try F.plan()
        #expect(plan.sources == F.sources)
        #expect(plan.rollouts.count == 40)
        let pairs = Set(plan.rollouts.map { "\($0.source)>\($0.target)" })
        #expect(pairs.count == 40)
        #expect(Set(plan.rollouts.map(\.target)) == Set(F.servers))
        #expect(Set(plan.rollouts.map(\.taskKey)).count == 40)
        #expect(plan.waves.map(\.sites) == [["FRA1"], ["AMS1"], ["LON1"]])
        #expect(plan.waves.map(\.kind) == [.site, .site, .site])
        #expect(F.targetsByWave(plan).map(\.count) == [7, 7, 6])
        for rollout in plan.rollouts {
            #expect(rollout.site == plan.waves[rollout.wave].sites[0])
            #expect(rollout.dependsOn.isEmpty)
        }
        // A target's two rollouts are adjacent, sources in key order.
        let fra1 = plan.rollouts.filter { $0.wave == 0 }
        #expect(fra1.prefix(2).map(\.source) == F.sources)
        #expect(fra1.prefix(2).map(\.target) == [F.server(1), F.server(1)])
        #expect(fra1.map(\.position) == Array(0..<14))
    }

    @Test("task keys are rollout-<source>-<target>, lower-cased, valid work-plan task keys")
    func taskKeys() throws {
        let plan = try F.plan()
        let first = try #require(plan.rollouts.first)
        #expect(first.taskKey == "rollout-ci-app-0001-ci-srv-1001")
        for rollout in plan.rollouts {
            #expect(rollout.taskKey.wholeMatch(of: /[a-z0-9][a-z0-9_.-]{0,63}/) != nil)
        }
        let longest = RolloutTaskKey.make(source: "CI-ABCDEFGHIJKL-12345678", target: "CI-ZYXWVUTSRQPO-87654321")
        #expect(longest.count == 57)
        #expect(longest.wholeMatch(of: /[a-z0-9][a-z0-9_.-]{0,63}/) != nil)
    }

    @Test("sites not named in the order follow, alphabetically")
    func unnamedSitesFollowAlphabetically() throws {
        #expect(try F.plan(F.definition(siteOrder: ["LON1"])).waves.map(\.sites) == [["LON1"], ["AMS1"], ["FRA1"]])
        #expect(try F.plan(F.definition(siteOrder: nil)).waves.map(\.sites) == [["AMS1"], ["FRA1"], ["LON1"]])
    }

    @Test("by default the sources are the release's affected CIs of class software or application")
    func defaultSources() throws {
        // The database and the service the release also affects are not sources.
        #expect(try F.plan().sources == ["CI-APP-0001", "CI-APP-0002"])
        let one = try F.plan(F.definition(sources: ["CI-APP-0002"]))
        #expect(one.sources == ["CI-APP-0002"])
        #expect(one.rollouts.count == 20)
    }

    @Test("a canary of 3 takes one target per site first; the site waves get the rest")
    func canary() throws {
        let plan = try F.plan(F.definition(canary: 3))
        #expect(plan.waves.map(\.kind) == [.canary, .site, .site, .site])
        #expect(plan.waves[0].sites == ["FRA1", "AMS1", "LON1"])
        let byWave = F.targetsByWave(plan)
        #expect(byWave[0] == [F.server(1), F.server(8), F.server(15)])
        #expect(byWave.map(\.count) == [3, 6, 6, 5])
        #expect(plan.rollouts.count == 40)
        #expect(Set(byWave.flatMap { $0 }).count == 20)
    }

    @Test("a canary of 4 goes round the sites again, in site order")
    func canaryWrapsRound() throws {
        let plan = try F.plan(F.definition(canary: 4, siteOrder: ["LON1", "AMS1"]))
        #expect(F.targetsByWave(plan)[0] == [F.server(15), F.server(16), F.server(8), F.server(1)])
        #expect(plan.waves[0].sites == ["LON1", "AMS1", "FRA1"])
    }

    @Test("a window of 4 splits the FRA1 wave's 14 rollouts into batches of 4, 4, 4 and 2")
    func window() throws {
        let plan = try F.plan(F.definition(window: 4))
        #expect(plan.window == 4)
        let batches = Dictionary(grouping: plan.rollouts.filter { $0.wave == 0 }, by: \.batch).mapValues(\.count)
        #expect(batches == [0: 4, 1: 4, 2: 4, 3: 2])
        #expect(try F.plan().window == RolloutDefinition.defaultWindow)
        #expect(try F.plan(F.definition(window: 1)).rollouts.filter { $0.wave == 2 }.map(\.batch) == Array(0..<12))
    }

    @Test("thresholds: a count as given; a percentage of the 40 rollouts rounded up, at least 1", arguments: [
        (RolloutFailureThreshold.count(1), 1), (.count(40), 40), (.percent(10), 4), (.percent(1), 1), (.percent(33), 14),
        (.percent(2), 1), (.percent(3), 2), (.percent(100), 40),
    ])
    func thresholds(threshold: RolloutFailureThreshold, halts: Int) throws {
        let plan = try F.plan(F.definition(threshold: threshold))
        #expect(plan.haltAfterFailures == halts)
        #expect(plan.failureThreshold == threshold)
    }

    @Test("without a threshold the first failed rollout halts; a count above the rollouts is refused")
    func thresholdDefaultAndCeiling() throws {
        #expect(try F.plan().haltAfterFailures == 1)
        let refusal = try #require(F.refusal(F.definition(threshold: .count(41))))
        #expect(refusal.kind == .validation)
        #expect(refusal.rule == RolloutPlanRule.threshold)
        #expect(refusal.fields?["failureThreshold.value"] == "must be at most 40")
    }

    @Test("the gate between waves follows every wave but the last", arguments: [
        RolloutWaveGate.pause(seconds: 600), .soak(seconds: 3_600), .approval,
    ])
    func gates(gate: RolloutWaveGate) throws {
        let plan = try F.plan(F.definition(canary: 2, gate: gate))
        #expect(plan.waves.map(\.gateAfter) == [gate, gate, gate, .immediate])
        #expect(try F.plan().waves.map(\.gateAfter) == [.immediate, .immediate, .immediate])
    }

    @Test("the backout scope is the current wave unless all is asked for")
    func backoutScope() throws {
        #expect(try F.plan().backoutScope == .currentWave)
        #expect(try F.plan(F.definition(backoutScope: .all)).backoutScope == .all)
    }

    @Test("the same inputs in another order give the same plan")
    func deterministic() throws {
        let shuffled = RolloutInventory(items: F.items().reversed(), relationships: F.runsOn.reversed())
        #expect(try F.plan(F.definition(canary: 3, window: 3)) == F.plan(F.definition(canary: 3, window: 3), inventory: shuffled))
    }
}
