import Contracts
import RolloutCore
import Testing

/// Which targets a selection picks: by keys, sites, classes, tags and relationships, all
/// criteria together; and the refusals for a selection that is empty or picks nothing.
@Suite("Rollout plan: target selection")
struct TargetSelectionTests {
    typealias F = RolloutPlanFixtures

    static func picked(_ selection: RolloutTargetSelection, excluding sources: Set<String> = Set(F.sources)) throws -> [String] {
        try TargetSelection(selection).targets(in: F.inventory(), excluding: sources).map(\.key)
    }

    static func refusal(_ selection: RolloutTargetSelection) -> CommandError? {
        do throws(CommandError) {
            _ = try TargetSelection(selection).targets(in: F.inventory(), excluding: Set(F.sources))
            return nil
        } catch {
            return error
        }
    }

    @Test("by site and by class, in key order")
    func sitesAndClasses() throws {
        #expect(try Self.picked(.init(sites: ["LON1"])) == (15...20).map(F.server))
        #expect(try Self.picked(.init(classes: [.server])) == F.servers)
        #expect(try Self.picked(.init(sites: ["FRA1"], classes: [.database, .server])) == ["CI-DB-0001"] + (1...7).map(F.server))
    }

    @Test("tags are CI attributes that must all match")
    func tags() throws {
        #expect(try Self.picked(.init(tags: ["env": "prod"])) == stride(from: 2, through: 20, by: 2).map(F.server))
        #expect(try Self.picked(.init(tags: ["env": "prod", "rack": "r0"])) == [6, 12, 18].map(F.server))
        #expect(try Self.picked(.init(sites: ["AMS1"], tags: ["env": "test"])) == [9, 11, 13].map(F.server))
    }

    @Test("everything that runs on given servers, and the servers given CIs run on")
    func relationships() throws {
        let onServers = RolloutRelationSelection(kind: .runsOn, direction: .incoming, anchors: [F.server(3)])
        // The applications run on server 3; as the sources they are never targets of themselves.
        #expect(try Self.picked(.init(related: onServers), excluding: []) == F.sources)
        let serversOf = RolloutRelationSelection(kind: .runsOn, direction: .outgoing, anchors: ["CI-APP-0001"])
        #expect(try Self.picked(.init(related: serversOf)) == F.servers)
        #expect(try Self.picked(.init(sites: ["LON1"], related: serversOf)) == (15...20).map(F.server))
    }

    @Test("keys name targets one by one, combined with the other criteria")
    func keys() throws {
        #expect(try Self.picked(.init(keys: [F.server(9), F.server(2)])) == [F.server(2), F.server(9)])
        #expect(try Self.picked(.init(keys: [F.server(9), F.server(2)], sites: ["AMS1"])) == [F.server(9)])
    }

    @Test("a selection with no criterion is refused")
    func emptySelection() throws {
        let refusal = try #require(Self.refusal(.init()))
        #expect(refusal.kind == .validation)
        #expect(refusal.rule == RolloutPlanRule.selectionEmpty)
        #expect(Self.refusal(.init(sites: []))?.rule == RolloutPlanRule.listSize)
    }

    @Test("a selection that picks nothing (or only the sources) is refused", arguments: [
        RolloutTargetSelection(sites: ["PAR1"]), .init(sites: ["../../etc"]), .init(tags: ["env": "staging"]),
        .init(classes: [.storage]), .init(keys: F.sources), .init(sites: ["LON1"], classes: [.database]),
    ])
    func picksNothing(selection: RolloutTargetSelection) throws {
        let refusal = try #require(Self.refusal(selection))
        #expect(refusal.kind == .validation)
        #expect(refusal.rule == RolloutPlanRule.selectionMatchesNothing)
    }

    @Test("keys and anchors no CI has are not found, each named by field")
    func unknownKeys() throws {
        let selection = RolloutTargetSelection(
            keys: [F.server(1), "CI-SRV-9999"], related: .init(kind: .runsOn, direction: .incoming, anchors: ["CI-NOPE-0001"]))
        let refusal = try #require(Self.refusal(selection))
        #expect(refusal.kind == .notFound)
        #expect(refusal.rule == RolloutPlanRule.unknownCI)
        #expect(refusal.fields == [
            "targets.keys[1]": "CI-SRV-9999 is no configuration item",
            "targets.related.anchors[0]": "CI-NOPE-0001 is no configuration item",
        ])
    }

    @Test("a selected target at no site is refused: deploy jobs are routed by site")
    func targetWithoutSite() throws {
        let refusal = try #require(F.refusal(F.definition(targets: .init(classes: [.server, .service]))))
        #expect(refusal.rule == RolloutPlanRule.targetWithoutSite)
        #expect(refusal.fields?["targets"] == "CI-SVC-0001")
    }
}
