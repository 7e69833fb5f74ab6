import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// The standard plan's site preparation is one task per site of the release's CIs, applied
/// over the real servers.
@Suite("Work plans: site preparation per site", .serialized)
struct WorkPlanSitesTests {
    @Test("the standard plan applied to a release with CIs at two sites has one site preparation per site, which deployment follows")
    func sitePreparationPerSite() async throws {
        try await PlanningHarness.run { harness in
            for (key, site) in [("CI-SRV-0001", "FRA1"), ("CI-SRV-0002", "Lon Docklands"), ("CI-APP-0001", nil)] as [(String, String?)] {
                _ = try await harness.send(UpsertConfigurationItem(key: key, name: key, ciClass: .server, site: site))
            }
            let key = try await harness.send(CreateRelease(title: "Two sites", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
            _ = try await harness.send(AddChange(releaseKey: key, change: ChangeRequestInput(
                externalId: "CHG1", title: "Patch", status: "approved", risk: "low",
                affectedCIs: ["CI-SRV-0001", "CI-SRV-0002", "CI-APP-0001"])), as: "carol")
            let applied = try await harness.send(ApplyJobPlan(releaseKey: key), as: "carol")
            #expect(applied.taskCount == DefaultJobPlan.plan.tasks.count + 1)
            let plan = try #require(try await harness.pool.withTransaction { transaction in
                try await WorkPlanRepository(schema: harness.schema).load(key, in: transaction)
            })
            #expect(plan["site-preparation"] == nil)
            #expect(plan["site-preparation.fra1"]?.predecessors == ["rollout-plan"])
            #expect(plan["site-preparation.lon-docklands"]?.title.hasSuffix("site Lon Docklands") == true)
            #expect(plan["deployment"]?.predecessors == ["site-preparation.fra1", "site-preparation.lon-docklands", "user-education"])
            let other = try await harness.send(CreateRelease(title: "No sites", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
            #expect(try await harness.send(ApplyJobPlan(releaseKey: other), as: "carol").taskCount == DefaultJobPlan.plan.tasks.count)
        }
    }
}
