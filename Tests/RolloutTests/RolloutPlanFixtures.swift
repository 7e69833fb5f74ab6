import Contracts
import RolloutCore

/// The seed's shape as an inventory: two applications (the sources) and 20 servers over three
/// sites (FRA1: 7, AMS1: 7, LON1: 6), plus a database and a service the release also affects.
enum RolloutPlanFixtures {
    static let sources = ["CI-APP-0001", "CI-APP-0002"]
    static let sites = ["FRA1", "AMS1", "LON1"]

    static func server(_ number: Int) -> String { "CI-SRV-\(1000 + number)" }

    /// Server n (1...20) is at FRA1 for 1-7, AMS1 for 8-14, LON1 for 15-20.
    static func site(ofServer number: Int) -> String { number <= 7 ? "FRA1" : number <= 14 ? "AMS1" : "LON1" }

    static let servers = (1...20).map(server)

    static func items(serverCount: Int = 20) -> [RolloutInventory.Item] {
        [
            .init(key: "CI-APP-0001", ciClass: .application, site: "FRA1"),
            .init(key: "CI-APP-0002", ciClass: .software, site: "FRA1"),
            .init(key: "CI-DB-0001", ciClass: .database, site: "FRA1"),
            .init(key: "CI-SVC-0001", ciClass: .service),
        ] + (1...serverCount).map { number in
            .init(key: server(number), ciClass: .server, site: site(ofServer: number),
                  attributes: ["env": number % 2 == 0 ? "prod" : "test", "rack": "r\(number % 3)"])
        }
    }

    /// Both applications run on every server.
    static let runsOn = sources.flatMap { app in servers.map { RolloutInventory.Relationship(source: app, kind: .runsOn, target: $0) } }

    static func inventory(extra relationships: [RolloutInventory.Relationship] = []) -> RolloutInventory {
        RolloutInventory(items: items(), relationships: runsOn + relationships)
    }

    static let affectedCIs = ["CI-APP-0001", "CI-APP-0002", "CI-DB-0001", "CI-SVC-0001"]

    static func definition(
        sources: [String]? = nil, targets: RolloutTargetSelection = .init(classes: [.server]), canary: Int? = nil,
        siteOrder: [String]? = ["FRA1", "AMS1", "LON1"], window: Int? = nil, threshold: RolloutFailureThreshold? = nil,
        gate: RolloutWaveGate? = nil, backoutScope: RolloutBackoutScope? = nil
    ) -> RolloutDefinition {
        RolloutDefinition(
            sources: sources, targets: targets, canary: canary, siteOrder: siteOrder, window: window, failureThreshold: threshold,
            betweenWaves: gate, backoutScope: backoutScope)
    }

    static func plan(
        _ definition: RolloutDefinition = definition(), inventory: RolloutInventory = inventory()
    ) throws(CommandError) -> RolloutPlan {
        try RolloutPlanner.plan(definition, inventory: inventory, affectedCIs: affectedCIs)
    }

    /// The refusal planning `definition` gives (nil when it plans).
    static func refusal(_ definition: RolloutDefinition, inventory: RolloutInventory = inventory()) -> CommandError? {
        do throws(CommandError) {
            _ = try plan(definition, inventory: inventory)
            return nil
        } catch {
            return error
        }
    }

    /// Target CI keys of each wave, in deploy order (each once).
    static func targetsByWave(_ plan: RolloutPlan) -> [[String]] {
        plan.waves.map { wave in
            var seen: Set<String> = []
            return plan.rollouts.filter { $0.wave == wave.index && seen.insert($0.target).inserted }.map(\.target)
        }
    }
}
