import Contracts
import PropertyBased
import RolloutCore
import Testing

/// Random inventories (1 to 40 targets over up to 4 sites, random acyclic dependencies,
/// 1 to 3 sources, an optional canary, windows of 1 to 6, several site orders): whatever the
/// input, the plan's invariants hold.
@Suite("Rollout plan: properties over random inventories")
struct RolloutPlanPropertyTests {
    static let siteNames = ["FRA1", "AMS1", "LON1", "PAR1"]
    static let siteOrders: [[String]] = [[], ["LON1"], ["PAR1", "FRA1"], ["AMS1", "LON1", "FRA1", "PAR1"]]

    /// Target `index`'s key: a permutation of the indices, so key order is not dependency order.
    static func key(_ index: Int) -> String { "CI-SRV-\(1000 + (index * 37) % 97)" }

    struct Scenario {
        var inventory: RolloutInventory
        var definition: RolloutDefinition
        var sources: [String]
        var targetSites: [String: String]
        /// Target → the targets it depends on.
        var needs: [String: Set<String>]
    }

    /// Sites by target index; each edge code makes the higher index depend on the lower (acyclic).
    static func scenario(sites: [Int], edges: [Int], options: Int) -> Scenario {
        let count = sites.count
        let sources = (1...(1 + options % 3)).map { "CI-APP-000\($0)" }
        var items = sources.map { RolloutInventory.Item(key: $0, ciClass: .application) }
        var targetSites: [String: String] = [:]
        for (index, site) in sites.enumerated() {
            items.append(.init(key: key(index), ciClass: .server, site: siteNames[site]))
            targetSites[key(index)] = siteNames[site]
        }
        var relationships: [RolloutInventory.Relationship] = []
        var needs: [String: Set<String>] = [:]
        for code in edges {
            let (a, b) = (code % count, (code / count) % count)
            guard a != b else { continue }
            let (dependent, dependency) = (key(max(a, b)), key(min(a, b)))
            relationships.append(.init(source: dependent, kind: code % 2 == 0 ? .dependsOn : .runsOn, target: dependency))
            needs[dependent, default: []].insert(dependency)
        }
        let present = Set(targetSites.values)
        let canary = (options / 3) % 5
        let definition = RolloutDefinition(
            sources: sources, targets: .init(classes: [.server]), canary: canary > 0 && canary < count ? canary : nil,
            siteOrder: siteOrders[(options / 90) % 4].filter(present.contains), window: 1 + (options / 15) % 6,
            failureThreshold: .percent(1 + options % 100), betweenWaves: options % 2 == 0 ? .approval : .pause(seconds: 60))
        return Scenario(inventory: RolloutInventory(items: items, relationships: relationships), definition: definition,
                        sources: sources, targetSites: targetSites, needs: needs)
    }

    @Test func invariantsHold() async throws {
        await propertyCheck(
            count: 300, input: Gen.int(in: 0...3).array(of: 1...40), Gen.int(in: 0...100_000).array(of: 0...60),
            Gen.int(in: 0...1_000)
        ) { sites, edges, options in
            let scenario = Self.scenario(sites: sites, edges: edges, options: options)
            let plan = try RolloutPlanner.plan(scenario.definition, inventory: scenario.inventory, affectedCIs: [])
            Self.checkPairs(plan, scenario)
            Self.checkOrder(plan, scenario)
            Self.checkDependencies(plan, scenario)
            Self.checkWaves(plan, scenario)
            let reversed = RolloutInventory(
                items: Array(scenario.inventory.items.values).reversed(), relationships: scenario.inventory.relationships.reversed())
            #expect(try RolloutPlanner.plan(scenario.definition, inventory: reversed, affectedCIs: []) == plan)
        }
    }

    /// One rollout per unique pair, with a unique task key; every target in exactly one wave.
    static func checkPairs(_ plan: RolloutPlan, _ scenario: Scenario) {
        #expect(plan.rollouts.count == scenario.sources.count * scenario.targetSites.count)
        #expect(Set(plan.rollouts.map(\.taskKey)).count == plan.rollouts.count)
        #expect(Set(plan.rollouts.map { [$0.source, $0.target] }).count == plan.rollouts.count)
        let waves = Dictionary(grouping: plan.rollouts, by: \.target).mapValues { Set($0.map(\.wave)) }
        #expect(waves.values.allSatisfy { $0.count == 1 })
        #expect(plan.rollouts.allSatisfy { scenario.targetSites[$0.target] == $0.site })
        let percent = scenario.definition.failureThreshold!.value
        #expect(plan.haltAfterFailures * 100 >= percent * plan.rollouts.count)
        #expect(plan.haltAfterFailures == 1 || (plan.haltAfterFailures - 1) * 100 < percent * plan.rollouts.count)
    }

    /// Rollouts in (wave, position) order; positions count up from 0; batches count up from 0
    /// by one and hold at most the window.
    static func checkOrder(_ plan: RolloutPlan, _ scenario: Scenario) {
        #expect(plan.waves.map(\.index) == Array(plan.waves.indices))
        for wave in plan.waves {
            let rollouts = plan.rollouts.filter { $0.wave == wave.index }
            #expect(!rollouts.isEmpty)
            #expect(rollouts.map(\.position) == Array(rollouts.indices))
            let batches = rollouts.map(\.batch)
            #expect(batches.first == 0)
            #expect(zip(batches, batches.dropFirst()).allSatisfy { $1 == $0 || $1 == $0 + 1 })
            #expect(Dictionary(grouping: batches, by: { $0 }).values.allSatisfy { $0.count <= plan.window })
        }
        #expect(plan.rollouts.map(\.wave) == plan.rollouts.map(\.wave).sorted())
    }

    /// A target's rollouts come in a later batch (or wave) than every rollout to a target it
    /// depends on, and name them all.
    static func checkDependencies(_ plan: RolloutPlan, _ scenario: Scenario) {
        let byTarget = Dictionary(grouping: plan.rollouts, by: \.target)
        for (dependent, dependencies) in scenario.needs {
            for rollout in byTarget[dependent] ?? [] {
                let expected = dependencies.flatMap { byTarget[$0] ?? [] }
                #expect(Set(rollout.dependsOn) == Set(expected.map(\.taskKey)))
                for before in expected {
                    #expect((before.wave, before.batch) < (rollout.wave, rollout.batch))
                }
            }
        }
    }

    /// The canary holds exactly the canary count (spread over every site when nothing depends
    /// on anything); each site leads at most one wave, in site order; a target in another
    /// site's wave is there because a target of that wave depends on it; gates follow all
    /// waves but the last.
    static func checkWaves(_ plan: RolloutPlan, _ scenario: Scenario) {
        let targetsByWave = Dictionary(grouping: plan.rollouts, by: \.wave).mapValues { Set($0.map(\.target)) }
        var siteWaves = plan.waves
        if let canary = scenario.definition.canary {
            #expect(plan.waves.first?.kind == .canary)
            #expect(targetsByWave[0]?.count == canary)
            if scenario.needs.isEmpty {
                let sites = Set(targetsByWave[0]!.map { scenario.targetSites[$0]! })
                #expect(sites.count == min(canary, Set(scenario.targetSites.values).count))
            }
            siteWaves.removeFirst()
        }
        #expect(siteWaves.allSatisfy { $0.kind == .site })
        let leading = siteWaves.map(\.sites[0])
        let order = scenario.definition.siteOrder ?? []
        let sequence = order + Set(scenario.targetSites.values).subtracting(order).sorted()
        #expect(leading == sequence.filter(leading.contains))
        for wave in siteWaves {
            let members = targetsByWave[wave.index]!
            for target in members where scenario.targetSites[target] != wave.sites[0] {
                #expect(members.contains { scenario.needs[$0]?.contains(target) == true })
            }
        }
        #expect(plan.waves.dropLast().allSatisfy { $0.gateAfter == scenario.definition.betweenWaves })
        #expect(plan.waves.last?.gateAfter == .immediate)
    }
}
