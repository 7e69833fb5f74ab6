import Contracts
import Foundation
import RolloutCore
import Testing

/// The wire form of `rollout.request_plan`: names as documented, optional fields optional,
/// names this version does not know kept and refused rather than dead-lettered.
@Suite("Rollout plan: contracts")
struct RolloutPlanContractsTests {
    typealias F = RolloutPlanFixtures

    @Test("the request encodes with its wire names and decodes back")
    func roundTrip() throws {
        let request = RequestRolloutPlan(releaseKey: "REL-000001", definition: F.definition(
            sources: ["CI-APP-0001"],
            targets: .init(sites: ["FRA1"], tags: ["env": "prod"], related: .init(kind: .runsOn, direction: .incoming, anchors: [F.server(1)])),
            canary: 2, threshold: .percent(10), gate: .soak(seconds: 60), backoutScope: .currentWave), dryRun: true)
        #expect(RequestRolloutPlan.messageType == "rollout.request_plan")
        let data = try JSONEncoder().encode(request)
        let json = try #require(String(data: data, encoding: .utf8))
        for name in [#""kind":"runs_on""#, #""direction":"incoming""#, #""backoutScope":"current_wave""#, #""kind":"percent""#,
                     #""kind":"soak""#, #""dryRun":true"#] {
            #expect(json.contains(name), "\(name)")
        }
        #expect(try JSONDecoder().decode(RequestRolloutPlan.self, from: data) == request)
    }

    @Test("a minimal request decodes with every optional field absent")
    func minimal() throws {
        let json = #"{"releaseKey":"REL-000001","definition":{"targets":{"sites":["FRA1"]}}}"#
        let request = try JSONDecoder().decode(RequestRolloutPlan.self, from: Data(json.utf8))
        #expect(request.definition == RolloutDefinition(targets: .init(sites: ["FRA1"])))
        #expect(request.dryRun == nil)
        let plan = try RolloutPlanner.plan(request.definition, inventory: F.inventory(), affectedCIs: F.affectedCIs)
        #expect(plan.rollouts.count == 16)
    }

    @Test("a gate kind from a newer sender decodes as unknown and is refused")
    func unknownGate() throws {
        let json = #"{"releaseKey":"REL-000001","definition":{"targets":{"sites":["FRA1"]},"betweenWaves":{"kind":"vote"}}}"#
        let request = try JSONDecoder().decode(RequestRolloutPlan.self, from: Data(json.utf8))
        #expect(request.definition.betweenWaves?.kind == .unknown("vote"))
        #expect(F.refusal(request.definition)?.rule == RolloutPlanRule.unknownValue)
    }

    @Test("the plan reply round-trips")
    func replyRoundTrip() throws {
        let reply = RolloutPlanned(releaseKey: "REL-000001", dryRun: true, plan: try F.plan(F.definition(canary: 3)))
        let data = try JSONEncoder().encode(CommandReply.success(reply))
        #expect(try JSONDecoder().decode(CommandReply<RolloutPlanned>.self, from: data).get() == reply)
    }

    @Test("one CI key rule for planning and the rollout planner", arguments: [
        ("CI-APP-0001", true), ("CI-ABCDEFGHIJKL-12345678", true), ("CI-A-0001", false), ("CI-APP-001", false),
        ("ci-app-0001", false), ("CI-APP-0001-", false), ("CI-ÄPP-0001", false), ("CI-APP-123456789", false),
    ])
    func ciKeyRule(key: String, valid: Bool) {
        #expect(ConfigurationItemKey.isValid(key) == valid)
    }
}
