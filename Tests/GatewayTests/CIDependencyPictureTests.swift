import Contracts
import GatewayCore
import PlanningCore
import Testing

/// The layered layout of a release's CIs and their dependencies (no database).
@Suite("Dashboard: the CI dependency picture")
struct CIDependencyPictureTests {
    static func link(_ source: String, _ target: String, _ kind: CIRelationshipKind = .dependsOn) -> CIRelationship {
        CIRelationship(source: source, target: target, kind: kind)
    }

    @Test("what is relied on stands left of what relies on it; rows by key; arrows from a CI's left to its target's right")
    func layers() {
        let picture = CIDependencyPicture(
            changed: ["CI-DB-0001"], related: ["CI-APP-0001", "CI-APP-0002", "CI-WEB-0001"],
            relationships: [Self.link("CI-APP-0001", "CI-DB-0001"), Self.link("CI-APP-0002", "CI-DB-0001"),
                            Self.link("CI-WEB-0001", "CI-APP-0001", .runsOn), Self.link("CI-WEB-0001", "CI-ELSE-0001")])
        let layer = Dictionary(uniqueKeysWithValues: picture.nodes.map { ($0.key, $0.layer) })
        #expect(layer == ["CI-DB-0001": 0, "CI-APP-0001": 1, "CI-APP-0002": 1, "CI-WEB-0001": 2])
        #expect(picture.nodes.map(\.key) == ["CI-DB-0001", "CI-APP-0001", "CI-APP-0002", "CI-WEB-0001"])
        #expect(picture.nodes.first { $0.key == "CI-DB-0001" }?.changed == true)
        #expect(picture.nodes.filter { $0.layer == 1 }.map(\.y) == [10, 50], "one row after another in a column")
        #expect(picture.edges.count == 3, "a relationship to a CI not shown is left out")
        let web = picture.edges.first { $0.source == "CI-WEB-0001" }!
        #expect(web.kind == "runs_on" && web.x1 == 10 + 2 * 210 && web.x2 == 10 + 210 + 150)
        #expect(picture.width == 20 + 3 * 150 + 2 * 60 && picture.height == 20 + 2 * 40 && picture.omitted == 0)
    }

    @Test("the same input in any order gives the same drawing; a cycle is broken, not followed forever")
    func deterministicAndCycles() {
        let links = [Self.link("CI-A-0001", "CI-B-0001"), Self.link("CI-B-0001", "CI-C-0001"), Self.link("CI-C-0001", "CI-A-0001")]
        let one = CIDependencyPicture(changed: ["CI-A-0001"], related: ["CI-B-0001", "CI-C-0001"], relationships: links)
        let two = CIDependencyPicture(changed: ["CI-A-0001"], related: ["CI-C-0001", "CI-B-0001"], relationships: links.reversed())
        #expect(one == two)
        #expect(Set(one.nodes.map(\.layer)) == [0, 1, 2] && one.edges.count == 3)
    }

    @Test("at most 60 CIs are drawn, the release's own first, and the rest are counted")
    func capped() {
        let changed = Set((1...5).map { "CI-CHG-\(String(format: "%04d", $0))" })
        let related = Set((1...100).map { "CI-DEP-\(String(format: "%04d", $0))" })
        let picture = CIDependencyPicture(
            changed: changed, related: related, relationships: related.map { Self.link($0, "CI-CHG-0001") })
        #expect(picture.nodes.count == CIDependencyPicture.maxNodes && picture.omitted == 45)
        #expect(changed.isSubset(of: Set(picture.nodes.map(\.key))))
        #expect(picture.edges.count == 55)
        let empty = CIDependencyPicture(changed: [], related: [], relationships: [])
        #expect(empty.nodes.isEmpty && empty.width == 0 && empty.omitted == 0)
    }
}
