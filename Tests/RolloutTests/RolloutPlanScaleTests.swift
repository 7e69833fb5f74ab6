import Contracts
import RolloutCore
import Testing

/// Data-centre scale: the planner stays linear enough for 10,000 targets with dependencies.
@Suite("Rollout plan: scale")
struct RolloutPlanScaleTests {
    @Test("10,000 targets over 4 sites, each of a tenth depending on another, with a canary of 1,000")
    func tenThousandTargets() throws {
        let sites = ["FRA1", "AMS1", "LON1", "PAR1"]
        let servers = (0..<10_000).map { RolloutInventory.Item(key: "CI-SRV-\(100_000 + $0)", ciClass: .server, site: sites[$0 % 4]) }
        let dependencies = stride(from: 10, to: 10_000, by: 10).map {
            RolloutInventory.Relationship(source: servers[$0].key, kind: .dependsOn, target: servers[$0 - 7].key)
        }
        let inventory = RolloutInventory(items: servers + [.init(key: "CI-APP-0001", ciClass: .application)], relationships: dependencies)
        let definition = RolloutDefinition(
            sources: ["CI-APP-0001"], targets: .init(classes: [.server]), canary: 1_000, siteOrder: ["PAR1"], window: 50)
        let plan = try RolloutPlanner.plan(definition, inventory: inventory, affectedCIs: [])
        #expect(plan.rollouts.count == 10_000)
        #expect(plan.waves.map(\.kind) == [.canary, .site, .site, .site, .site])
        #expect(Set(plan.rollouts.map(\.taskKey)).count == 10_000)
        #expect(plan.rollouts.filter { !$0.dependsOn.isEmpty }.count == 999)
    }
}
