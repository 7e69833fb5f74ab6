import Contracts
import Foundation
import PlanningCore
import Testing

/// The standard plan's site preparation becomes one task per site of the release (pure rule).
@Suite("Site preparation per site")
struct SitePreparationTests {
    static let plan = DefaultJobPlan.plan.tasks

    @Test("without sites the one task stays; with sites, one per site in its place, same predecessors, the successor follows all")
    func expansion() throws {
        #expect(SitePreparation.expand(Self.plan, sites: []) == Self.plan)
        let expanded = SitePreparation.expand(Self.plan, sites: ["FRA1", "ams2", "FRA1"])
        let keys = expanded.map(\.key)
        #expect(!keys.contains("site-preparation"))
        let index = try #require(keys.firstIndex(of: "site-preparation.fra1"))
        #expect(keys[index + 1] == "site-preparation.ams2" && keys.count == Self.plan.count + 1)
        #expect(expanded[index].predecessors == ["rollout-plan"] && expanded[index + 1].predecessors == ["rollout-plan"])
        #expect(expanded[index].title.hasSuffix("— site FRA1") && expanded[index].owner == .group("rollout-operators"))
        let deployment = try #require(expanded.first { $0.key == "deployment" })
        #expect(deployment.predecessors == ["site-preparation.fra1", "site-preparation.ams2", "user-education"])
        // The expanded plan is still a valid job plan (keys, titles, predecessors, no cycle).
        try JobPlan(name: "expanded", tasks: expanded).validate()
    }

    @Test("hostile site names give valid, unique keys and clean titles; a plan without the task is unchanged")
    func hostileNames() throws {
        let long = String(repeating: "x", count: 300)
        let combining = "e" + String(repeating: "\u{301}", count: 400)
        let sites = ["../etc/passwd", "Lon Docklands", "lon-docklands", "LON_DOCKLANDS!", "ünïcødé", "---", "", "tab\there\u{0}",
                     long, long + "y", "'; DROP TABLE x; --", combining, "日本"]
        let expanded = SitePreparation.expand(Self.plan, sites: sites)
        let keyPattern = /^[a-z0-9][a-z0-9_.-]{0,63}$/
        let perSite = expanded.filter { $0.key.hasPrefix("site-preparation.") }
        #expect(perSite.count == sites.count - 1) // the empty name is no site
        #expect(Set(expanded.map(\.key)).count == expanded.count)
        for task in perSite {
            #expect(task.key.wholeMatch(of: keyPattern) != nil, "\(task.key)")
            #expect(task.title.unicodeScalars.count <= 200 && !task.title.unicodeScalars.contains { $0.properties.generalCategory == .control })
        }
        #expect(perSite.map(\.key).prefix(3) == ["site-preparation.etc-passwd", "site-preparation.lon-docklands", "site-preparation.lon-docklands-2"])
        try JobPlan(name: "expanded", tasks: expanded).validate()
        let other = [JobPlanTask(key: "a", title: "A", group: "g", phase: .plan, owner: .group("g"), estimateMinutes: 1)]
        #expect(SitePreparation.expand(other, sites: ["FRA1"]) == other)
    }
}
