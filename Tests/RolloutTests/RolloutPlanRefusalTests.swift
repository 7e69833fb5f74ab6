import Contracts
import RolloutCore
import Testing

/// Hostile and wrong input: each refused clearly, naming the field and a stable rule, and
/// never echoing a hostile value (300 characters, NUL) into the refusal.
@Suite("Rollout plan: refusals")
struct RolloutPlanRefusalTests {
    typealias F = RolloutPlanFixtures

    static let long = String(repeating: "x", count: 300)

    /// The refusal for `definition`, checked to be well formed: never a hostile value in it.
    static func refused(_ definition: RolloutDefinition) throws -> CommandError {
        let refusal = try #require(F.refusal(definition))
        let text = refusal.message + (refusal.fields ?? [:]).map { $0.key + $0.value }.joined()
        #expect(!text.contains(long) && !text.contains("\0") && !text.contains("passwd"))
        return refusal
    }

    @Test("a 300-character site, a NUL in a site or a tag is refused as text", arguments: [
        ("targets.sites[0]", RolloutTargetSelection(sites: [long])),
        ("targets.sites[1]", .init(sites: ["FRA1", "LO\0N1"])),
        ("targets.tags.env", .init(tags: ["env": "pr\0d"])),
        ("targets.tags", .init(tags: ["e\0nv": "prod"])),
        ("targets.tags.env", .init(tags: ["env": long + long + long + long])),
    ])
    func hostileText(field: String, selection: RolloutTargetSelection) throws {
        let refusal = try Self.refused(F.definition(targets: selection))
        #expect(refusal.kind == .validation)
        #expect(refusal.rule == RolloutPlanRule.text)
        #expect(refusal.fields?[field] != nil)
    }

    @Test("a site order with a NUL or 300 characters is refused")
    func hostileSiteOrder() throws {
        let refusal = try Self.refused(F.definition(siteOrder: ["FRA1", Self.long, "AMS\01"]))
        #expect(refusal.rule == RolloutPlanRule.text)
        #expect(Set(refusal.fields?.keys.map { $0 } ?? []) == ["siteOrder[1]", "siteOrder[2]"])
    }

    @Test("CI keys that are not CI keys are refused before the CMDB is read", arguments: [
        "../../etc/passwd", "ci-app-0001", "CI-APP-0001\0", "CI-APP-01", String(repeating: "CI-APP-0001", count: 30), "",
    ])
    func badKeys(key: String) throws {
        for definition in [
            F.definition(sources: [key]), F.definition(targets: .init(keys: [F.server(1), key])),
            F.definition(targets: .init(related: .init(kind: .runsOn, direction: .incoming, anchors: [key]))),
        ] {
            let refusal = try Self.refused(definition)
            #expect(refusal.kind == .validation)
            #expect(refusal.rule == RolloutPlanRule.ciKey)
        }
    }

    @Test("CI keys no CI has are not found")
    func unknownSource() throws {
        let refusal = try Self.refused(F.definition(sources: ["CI-APP-0001", "CI-APP-0404"]))
        #expect(refusal.kind == .notFound)
        #expect(refusal.rule == RolloutPlanRule.unknownCI)
        #expect(refusal.fields == ["sources[1]": "CI-APP-0404 is no configuration item"])
    }

    @Test("a target, source, anchor, site or class named twice is refused", arguments: [
        ("targets.keys", F.definition(targets: .init(keys: [F.server(1), F.server(2), F.server(1)]))),
        ("sources", F.definition(sources: ["CI-APP-0001", "CI-APP-0001"])),
        ("targets.related.anchors", F.definition(targets: .init(related: .init(kind: .runsOn, direction: .outgoing,
                                                                                anchors: ["CI-APP-0001", "CI-APP-0001"])))),
        ("targets.sites", F.definition(targets: .init(sites: ["FRA1", "FRA1"]))),
        ("targets.classes", F.definition(targets: .init(classes: [.server, .server]))),
        ("siteOrder", F.definition(siteOrder: ["FRA1", "AMS1", "FRA1"])),
    ])
    func duplicates(field: String, definition: RolloutDefinition) throws {
        let refusal = try Self.refused(definition)
        #expect(refusal.rule == RolloutPlanRule.duplicate)
        #expect(refusal.fields?[field]?.hasSuffix(" twice") == true)
    }

    @Test("names this version does not know are refused without echoing them")
    func unknownValues() throws {
        let hostile = "mainframe\0" + Self.long
        let refusals = try [
            F.definition(targets: .init(classes: [.unknown(hostile)])),
            F.definition(targets: .init(related: .init(kind: .unknown(hostile), direction: .incoming, anchors: [F.server(1)]))),
            F.definition(targets: .init(related: .init(kind: .runsOn, direction: .unknown(hostile), anchors: [F.server(1)]))),
            F.definition(threshold: .init(kind: .unknown(hostile), value: 3)),
            F.definition(gate: .init(kind: .unknown(hostile))),
            F.definition(backoutScope: .unknown(hostile)),
        ].map(Self.refused)
        for refusal in refusals {
            #expect(refusal.kind == .validation)
            #expect(refusal.rule == RolloutPlanRule.unknownValue)
            #expect(!refusal.message.contains("mainframe"))
        }
    }

    @Test("numbers out of range are refused, each with its rule", arguments: [
        (RolloutPlanRule.window, F.definition(window: 0)), (RolloutPlanRule.window, F.definition(window: 1_001)),
        (RolloutPlanRule.canarySize, F.definition(canary: 0)), (RolloutPlanRule.canarySize, F.definition(canary: 20)),
        (RolloutPlanRule.threshold, F.definition(threshold: .count(0))), (RolloutPlanRule.threshold, F.definition(threshold: .percent(0))),
        (RolloutPlanRule.threshold, F.definition(threshold: .percent(101))),
        (RolloutPlanRule.gate, F.definition(gate: .init(kind: .pause))), (RolloutPlanRule.gate, F.definition(gate: .soak(seconds: 0))),
        (RolloutPlanRule.gate, F.definition(gate: .pause(seconds: RolloutWaveGate.maxSeconds + 1))),
        (RolloutPlanRule.gate, F.definition(gate: .init(kind: .approval, seconds: 60))),
    ])
    func ranges(rule: String, definition: RolloutDefinition) throws {
        let refusal = try Self.refused(definition)
        #expect(refusal.kind == .validation)
        #expect(refusal.rule == rule)
    }

    @Test("lists longer than their bound are refused by size", arguments: [
        ("targets.keys", 20_000, F.definition(targets: .init(keys: Array(repeating: "CI-SRV-1001", count: 20_001)))),
        ("sources", 100, F.definition(sources: (0...100).map { "CI-APP-\(5000 + $0)" })),
        ("siteOrder", 100, F.definition(siteOrder: (0...100).map { "S\($0)" })),
        ("targets.tags", 50, F.definition(targets: .init(tags: Dictionary(uniqueKeysWithValues: (0...50).map { ("t\($0)", "v") })))),
    ])
    func oversizedLists(field: String, bound: Int, definition: RolloutDefinition) throws {
        let refusal = try Self.refused(definition)
        #expect(refusal.rule == RolloutPlanRule.listSize)
        #expect(refusal.fields?[field] == "must list 1 to \(bound) entries, or be left out")
    }

    @Test("every problem is named at once; the rule is the first one's")
    func allProblemsAtOnce() throws {
        let refusal = try Self.refused(F.definition(sources: ["nope"], canary: 0, window: 0, gate: .init(kind: .pause)))
        #expect(refusal.rule == RolloutPlanRule.ciKey)
        #expect(Set(refusal.fields?.keys.map { $0 } ?? []) == ["sources[0]", "canary", "window", "betweenWaves.seconds"])
        #expect(refusal.message.contains("and 3 more problem(s)"))
    }

    @Test("a release with no software or application to roll out, and no sources given, is a conflict")
    func noSources() throws {
        do throws(CommandError) {
            _ = try RolloutPlanner.plan(F.definition(), inventory: F.inventory(), affectedCIs: ["CI-DB-0001", "CI-GONE-0001"])
            Issue.record("planned without sources")
        } catch {
            #expect(error.kind == .conflict)
            #expect(error.rule == RolloutPlanRule.noSources)
        }
    }

    @Test("more than 100,000 rollouts is refused")
    func tooLarge() throws {
        let sources = (1...100).map { "CI-APP-\(2000 + $0)" }
        let servers = (1...1_001).map { RolloutInventory.Item(key: "CI-SRV-\(5000 + $0)", ciClass: .server, site: "FRA1") }
        let inventory = RolloutInventory(items: sources.map { .init(key: $0, ciClass: .application) } + servers)
        let refusal = try #require(F.refusal(F.definition(sources: sources, siteOrder: nil), inventory: inventory))
        #expect(refusal.rule == RolloutPlanRule.tooLarge)
    }

    @Test("the request's release key is checked with the definition")
    func releaseKey() throws {
        for key in ["", "REL\0", Self.long] {
            #expect(throws: CommandError.self) { try RolloutDefinitionRules.check(RequestRolloutPlan(releaseKey: key, definition: F.definition())) }
        }
        try RolloutDefinitionRules.check(RequestRolloutPlan(releaseKey: "REL-000001", definition: F.definition()))
    }
}
