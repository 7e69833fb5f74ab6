import Contracts
import PropertyBased
import RolloutCore
import Testing

/// Random inventories and random selections: the selection picks exactly what a plain
/// reading of its criteria picks (every criterion given holds), or refuses when that is
/// nothing or when no criterion is given.
@Suite("Rollout plan: target selection properties")
struct TargetSelectionPropertyTests {
    static let classes: [CIClass] = [.server, .database, .application]
    static let sites: [String?] = ["FRA1", "AMS1", "LON1", nil]

    /// Draws numbers from the generated list in turn (wrapping), so one input shapes a whole case.
    struct Draws {
        let numbers: [Int]
        var next = 0
        mutating func callAsFunction(_ bound: Int) -> Int {
            defer { next += 1 }
            return numbers[next % numbers.count] % bound
        }
    }

    static func key(_ index: Int) -> String { "CI-HOST-\(1000 + index)" }

    @Test func selectionMatchesItsCriteria() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000).array(of: 1...200)) { numbers in
            var draw = Draws(numbers: numbers)
            let count = 1 + draw(30)
            let items = (0..<count).map { index in
                RolloutInventory.Item(key: Self.key(index), ciClass: Self.classes[draw(3)], site: Self.sites[draw(4)],
                                      attributes: ["env": draw(2) == 0 ? "prod" : "test", "rack": "r\(draw(2))"])
            }
            let relationships = (0..<draw(40)).map { _ in
                RolloutInventory.Relationship(source: Self.key(draw(count)), kind: draw(2) == 0 ? .runsOn : .dependsOn, target: Self.key(draw(count)))
            }
            let inventory = RolloutInventory(items: items, relationships: relationships)
            var selection = RolloutTargetSelection()
            if draw(3) == 0 { selection.keys = Array(Set((0...draw(count)).map { _ in Self.key(draw(count)) })) }
            if draw(2) == 0 { selection.sites = Array(Set((0...draw(3)).map { _ in Self.sites[draw(3)]! })) }
            if draw(2) == 0 { selection.classes = Array(Set((0...draw(3)).map { _ in Self.classes[draw(3)] })) }
            if draw(3) == 0 { selection.tags = draw(2) == 0 ? ["env": "prod"] : ["env": "test", "rack": "r1"] }
            if draw(3) == 0 {
                selection.related = .init(kind: draw(2) == 0 ? .runsOn : .dependsOn, direction: draw(2) == 0 ? .incoming : .outgoing,
                                          anchors: Array(Set((0...draw(3)).map { _ in Self.key(draw(count)) })))
            }
            Self.check(selection, inventory)
        }
    }

    /// The oracle: every CI for which each given criterion holds, read straight from the definition.
    static func expected(_ selection: RolloutTargetSelection, _ inventory: RolloutInventory) -> [String] {
        inventory.items.values.filter { item in
            (selection.keys?.contains(item.key) ?? true)
                && (selection.sites.map { sites in item.site.map(sites.contains) ?? false } ?? true)
                && (selection.classes?.contains(item.ciClass) ?? true)
                && (selection.tags?.allSatisfy { item.attributes[$0.key] == $0.value } ?? true)
                && (selection.related.map { related in
                    inventory.relationships.contains { relationship in
                        relationship.kind == related.kind
                            && (related.direction == .incoming
                                ? relationship.source == item.key && related.anchors.contains(relationship.target)
                                : relationship.target == item.key && related.anchors.contains(relationship.source))
                    }
                } ?? true)
        }.map(\.key).sorted()
    }

    static func check(_ selection: RolloutTargetSelection, _ inventory: RolloutInventory) {
        let expected = expected(selection, inventory)
        do throws(CommandError) {
            let picked = try TargetSelection(selection).targets(in: inventory).map(\.key)
            #expect(picked == expected)
        } catch {
            if selection == RolloutTargetSelection() {
                #expect(error.rule == RolloutPlanRule.selectionEmpty)
            } else {
                #expect(expected.isEmpty)
                #expect(error.rule == RolloutPlanRule.selectionMatchesNothing)
            }
        }
    }
}
