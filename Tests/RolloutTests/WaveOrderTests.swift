import Contracts
import RolloutCore
import Testing

/// Targets that others depend on go first: inside a wave by dependency level, and across
/// waves by pulling a dependency into the earliest wave that needs it. A cycle is refused.
@Suite("Rollout plan: waves in dependency order")
struct WaveOrderTests {
    typealias F = RolloutPlanFixtures

    static func dependsOn(_ source: Int, _ target: Int, kind: CIRelationshipKind = .dependsOn) -> RolloutInventory.Relationship {
        .init(source: F.server(source), kind: kind, target: F.server(target))
    }

    @Test("a target at a later site that FRA1's targets depend on is pulled into the FRA1 wave, ahead of them")
    func dependencyPulledIntoEarlierWave() throws {
        // Servers 1 and 2 (FRA1) depend on server 9 (AMS1), which runs on server 16 (LON1).
        let inventory = F.inventory(extra: [Self.dependsOn(1, 9), Self.dependsOn(2, 9), Self.dependsOn(9, 16, kind: .runsOn)])
        let plan = try F.plan(F.definition(), inventory: inventory)
        #expect(plan.waves.map(\.sites) == [["FRA1", "AMS1", "LON1"], ["AMS1"], ["LON1"]])
        // Level 0: FRA1's independent servers, then server 16; level 1: server 9; level 2: servers 1 and 2.
        #expect(F.targetsByWave(plan)[0] == [3, 4, 5, 6, 7, 16, 9, 1, 2].map(F.server))
        #expect(!F.targetsByWave(plan)[1].contains(F.server(9)))
        #expect(!F.targetsByWave(plan)[2].contains(F.server(16)))
        let batch = Dictionary(uniqueKeysWithValues: plan.rollouts.filter { $0.source == F.sources[0] }.map { ($0.target, $0.batch) })
        #expect(batch[F.server(16)]! < batch[F.server(9)]!)
        #expect(batch[F.server(9)]! < batch[F.server(1)]!)
    }

    @Test("a rollout depends on every rollout to the targets its target depends on")
    func dependsOnNamesTaskKeys() throws {
        let plan = try F.plan(F.definition(), inventory: F.inventory(extra: [Self.dependsOn(3, 5)]))
        let dependent = try #require(plan.rollouts.first { $0.target == F.server(3) && $0.source == F.sources[1] })
        #expect(dependent.dependsOn == ["rollout-ci-app-0001-ci-srv-1005", "rollout-ci-app-0002-ci-srv-1005"])
        #expect(plan.rollouts.first { $0.target == F.server(5) }?.dependsOn == [])
    }

    @Test("inside a wave a target and one it depends on never share a batch, even with room left")
    func levelsSplitBatches() throws {
        let plan = try F.plan(F.definition(window: 100), inventory: F.inventory(extra: [Self.dependsOn(1, 2)]))
        let fra1 = plan.rollouts.filter { $0.wave == 0 }
        // Level 0: the six FRA1 servers that depend on no FRA1 server; level 1: server 1.
        #expect(Set(fra1.map(\.batch)) == [0, 1])
        #expect(fra1.filter { $0.batch == 1 }.map(\.target) == [F.server(1), F.server(1)])
        #expect(fra1.first?.target == F.server(2))
    }

    @Test("a dependency cycle among the targets is refused, naming it")
    func cycleRefused() throws {
        let inventory = F.inventory(extra: [Self.dependsOn(1, 2), Self.dependsOn(2, 9), Self.dependsOn(9, 1, kind: .runsOn)])
        let refusal = try #require(F.refusal(F.definition(), inventory: inventory))
        #expect(refusal.kind == .conflict)
        #expect(refusal.rule == RolloutPlanRule.dependencyCycle)
        #expect(refusal.message.hasSuffix("CI-SRV-1001 → CI-SRV-1002 → CI-SRV-1009 → CI-SRV-1001"))
    }

    @Test("relationships that are not dependencies, or reach outside the targets, do not order targets")
    func otherRelationshipsIgnored() throws {
        let inventory = F.inventory(extra: [
            .init(source: F.server(1), kind: .partOf, target: F.server(9)),
            .init(source: F.server(1), kind: .locatedAt, target: F.server(16)),
            .init(source: F.server(2), kind: .dependsOn, target: "CI-DB-0001"),
        ])
        #expect(try F.plan(F.definition(), inventory: inventory) == F.plan())
    }

    @Test("a canary is picked only once every target it depends on is a canary")
    func canaryRespectsDependencies() throws {
        // Server 1 (FRA1's first by key) depends on server 15 (LON1).
        let plan = try F.plan(F.definition(canary: 2), inventory: F.inventory(extra: [Self.dependsOn(1, 15)]))
        // Round 1: FRA1's first eligible is server 2 (1 waits for 15), then AMS1's server 8.
        #expect(Set(F.targetsByWave(plan)[0]) == [F.server(2), F.server(8)])
        let withThree = try F.plan(F.definition(canary: 3), inventory: F.inventory(extra: [Self.dependsOn(1, 15)]))
        #expect(F.targetsByWave(withThree)[0] == [F.server(2), F.server(8), F.server(15)])
    }

    @Test("a site whose targets all went in earlier waves has no wave of its own")
    func emptySiteWaveDropped() throws {
        // Every LON1 server is a dependency of FRA1's server 1.
        let inventory = F.inventory(extra: (15...20).map { Self.dependsOn(1, $0) })
        let plan = try F.plan(F.definition(), inventory: inventory)
        #expect(plan.waves.map(\.sites) == [["FRA1", "LON1"], ["AMS1"]])
        #expect(plan.waves.last?.gateAfter == .immediate)
        #expect(plan.rollouts.count == 40)
    }

    @Test("a site order naming a site no target is at is refused")
    func unknownSiteInOrder() throws {
        let refusal = try #require(F.refusal(F.definition(siteOrder: ["FRA1", "PAR1"])))
        #expect(refusal.rule == RolloutPlanRule.siteOrderUnknown)
        #expect(refusal.fields?["siteOrder[1]"] == "names PAR1, where no selected target is")
    }
}
