import Foundation
import PlanningCore
import Testing

@Suite("Configuration items: relationships, transitive queries, cycles, impact")
struct ConfigurationItemGraphTests {
    private func keys(_ numbers: [Int]) -> [String] { numbers.map(ConfigurationItemFixture.key) }

    /// The impact set's keys walked each way (index lookups, hashed relationships, the
    /// in-memory snapshot), which must agree; the public entry point picks one.
    private func impactKeys(_ repository: CIRepository, _ changed: [String]) async throws -> [String] {
        let byIndex = try await repository.impactSet(changedCIKeys: changed, traversal: .indexLookups).map(\.key)
        let hashed = try await repository.impactSet(changedCIKeys: changed, traversal: .hashedRelationships).map(\.key)
        #expect(byIndex == hashed, "both SQL traversals give the same impact set")
        let inMemory = try await repository.impactSet(changedCIKeys: changed, traversal: .snapshot).map(\.key)
        #expect(inMemory == byIndex, "the snapshot gives the same impact set")
        #expect(try await repository.impactSet(changedCIKeys: changed).map(\.key) == byIndex)
        return byIndex
    }

    @Test("relationship kinds: only depends_on and runs_on count as dependencies")
    func kinds() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let repository = fixture.repository
        try await fixture.items(1...5)
        try await fixture.dependsOn([(2, 1)], kind: .dependsOn)
        try await fixture.dependsOn([(3, 1)], kind: .runsOn)
        try await fixture.dependsOn([(4, 1)], kind: .locatedAt)
        try await fixture.dependsOn([(5, 1)], kind: .partOf)
        #expect(try await repository.dependents(of: keys([1])[0]).map(\.key) == keys([2, 3]))
        #expect(try await repository.dependents(of: keys([1])[0], kinds: [.partOf]).map(\.key) == keys([5]))
        #expect(try await repository.dependencies(of: keys([3])[0]).map(\.key) == keys([1]))
        #expect(try await repository.relationships(of: keys([1])[0]).map(\.kind) == [.dependsOn, .runsOn, .locatedAt, .partOf])

        let duplicate = CIRelationship(source: keys([2])[0], target: keys([1])[0], kind: .dependsOn)
        #expect(try await repository.addRelationship(duplicate) == false)
        #expect(try await repository.removeRelationship(duplicate))
        #expect(try await repository.removeRelationship(duplicate) == false)
        await #expect(throws: CIRepositoryError.selfRelationship(keys([1])[0])) {
            try await repository.addRelationship(CIRelationship(source: keys([1])[0], target: keys([1])[0], kind: .dependsOn))
        }
        await #expect(throws: CIRepositoryError.unknownKeys(["CI-APP-0999"])) {
            try await repository.addRelationship(CIRelationship(source: keys([1])[0], target: "CI-APP-0999", kind: .dependsOn))
        }
        await #expect(throws: CIRepositoryError.invalidKey("app-1")) {
            try await repository.upsert(ConfigurationItem(key: "app-1", name: "x", ciClass: .application))
        }
    }

    /// 1 ← 2 ← 4, 1 ← 3 ← 4, 4 ← 5, 6 alone; arrows read "is depended on by".
    @Test("transitive dependents and dependencies on a small graph")
    func transitive() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let repository = fixture.repository
        try await fixture.items(1...6)
        try await fixture.dependsOn([(2, 1), (3, 1), (4, 2), (4, 3), (5, 4)])
        #expect(try await repository.transitiveDependents(of: keys([1])).map(\.key) == keys([2, 3, 4, 5]))
        #expect(try await repository.transitiveDependents(of: keys([3])).map(\.key) == keys([4, 5]))
        #expect(try await repository.transitiveDependencies(of: keys([5])).map(\.key) == keys([1, 2, 3, 4]))
        #expect(try await repository.transitiveDependencies(of: keys([6])).isEmpty)
        #expect(try await repository.findCycles().isEmpty)
    }

    @Test("a dependency cycle is reported and transitive queries still terminate")
    func cycle() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let repository = fixture.repository
        try await fixture.items(1...6)
        // 1 → 2 → 3 → 1 (depends_on / runs_on mixed), 4 → 1, 5 ⇄ 6.
        try await fixture.dependsOn([(1, 2), (2, 3), (4, 1), (5, 6), (6, 5)])
        try await fixture.dependsOn([(3, 1)], kind: .runsOn)
        #expect(try await repository.findCycles() == [keys([1, 2, 3]), keys([5, 6])])
        #expect(try await repository.transitiveDependents(of: keys([1])).map(\.key) == keys([2, 3, 4]))
        #expect(try await repository.transitiveDependencies(of: keys([4])).map(\.key) == keys([1, 2, 3]))
        #expect(try await impactKeys(repository, keys([5])) == keys([5, 6]))
    }

    @Test("impact set: the changed CIs plus everything that depends on them")
    func impact() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        try await fixture.items(1...7)
        try await fixture.dependsOn([(2, 1), (3, 2), (5, 4), (7, 6)])
        try await fixture.dependsOn([(6, 1)], kind: .partOf)
        let impact = try await impactKeys(fixture.repository, keys([1, 4]) + ["CI-APP-0404"])
        #expect(impact == keys([1, 2, 3, 4, 5]))
    }

    @Test("impact set: part_of upward to the whole and what depends on it; located_at one step to the site")
    func impactFollowsWholesAndSites() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        try await fixture.items(1...8)
        // 1 is part of 3 (a cluster), 4 depends on the cluster, 2 depends on 1; the cluster is
        // located at site 5, where 6 also is; 7 is a part of 1; 2 is located at site 8.
        try await fixture.dependsOn([(2, 1), (4, 3)])
        try await fixture.dependsOn([(1, 3), (7, 1)], kind: .partOf)
        try await fixture.dependsOn([(3, 5), (6, 5), (2, 8)], kind: .locatedAt)
        let impact = try await impactKeys(fixture.repository, keys([1]))
        #expect(impact == keys([1, 2, 3, 4, 5, 8]), "neither 6 (only at the same site) nor 7 (a part of 1)")
    }

    @Test("impact set: a CI reached as a site and also as a dependent is walked on from there")
    func impactSiteAlsoDependent() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        try await fixture.items(1...6)
        // 1 is located at 2 and at 4; 3 depends on 2 and 5 on 4; 4 also depends on 1, so 4 is
        // walked on (5 impacted) while 2 is only a site (3 not impacted); 6 is part of 5.
        try await fixture.dependsOn([(1, 2), (1, 4)], kind: .locatedAt)
        try await fixture.dependsOn([(3, 2), (5, 4), (4, 1)])
        try await fixture.dependsOn([(5, 6)], kind: .partOf)
        #expect(try await impactKeys(fixture.repository, keys([1])) == keys([1, 2, 4, 5, 6]))
    }

    @Test("a CMDB change makes the cached snapshot stale: the next impact set sees the change, never the old graph")
    func snapshotFollowsChanges() async throws {
        let fixture = try await ConfigurationItemFixture.make()
        defer { Task { await fixture.drop() } }
        let repository = fixture.repository
        try await fixture.items(1...4)
        try await fixture.dependsOn([(2, 1)], kind: .dependsOn)
        #expect(try await repository.impactSet(changedCIKeys: keys([1]), traversal: .snapshot).map(\.key) == keys([1, 2]))
        #expect(try await repository.impactSet(changedCIKeys: keys([1])).map(\.key) == keys([1, 2]), "served from the snapshot")
        // Each kind of write: a new relationship, a removed one, a renamed CI.
        try await fixture.dependsOn([(3, 2)], kind: .runsOn)
        #expect(try await repository.impactSet(changedCIKeys: keys([1])).map(\.key) == keys([1, 2, 3]))
        try await repository.removeRelationship(CIRelationship(source: keys([2])[0], target: keys([1])[0], kind: .dependsOn))
        #expect(try await repository.impactSet(changedCIKeys: keys([1])).map(\.key) == keys([1]))
        try await repository.upsert(ConfigurationItem(key: keys([1])[0], name: "Renamed", ciClass: .database))
        #expect(try await repository.impactSet(changedCIKeys: keys([1])).map(\.name) == ["Renamed"])
        #expect(try await repository.impactSet(changedCIKeys: keys([1]), traversal: .snapshot).map(\.name) == ["Renamed"])
    }
}
