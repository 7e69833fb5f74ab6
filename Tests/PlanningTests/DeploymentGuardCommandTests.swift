import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Freeze windows and collisions through the planning handlers over the real servers:
/// scheduling, approving and entering `deploy` refused inside a blackout or with an unresolved
/// collision, a release manager's override passing (audited), across a daylight-saving change.
@Suite("Deployment guards: commands", .serialized)
struct DeploymentGuardCommandTests {
    static func utc(_ text: String) -> Date { FreezeFixtures.utc(text) }

    /// Saturdays 22:00 for four hours, Berlin time.
    static let weekend = SaveFreezeWindow(
        name: "Weekend freeze", kind: "blackout", timeZone: "Europe/Berlin",
        schedule: FreezeScheduleInput(weekdays: ["saturday"], startTime: "22:00", durationMinutes: 240))

    @Test("a weekly blackout refuses a schedule at 22:15 Berlin time on both sides of the March 2027 clock change, not at 21:15")
    func weeklyAcrossDaylightSaving() async throws {
        try await PlanningHarness.run { harness in
            let saved = try await harness.send(Self.weekend, as: "admin")
            #expect(saved.schedule.startTime == "22:00" && saved.kind == "blackout")
            // Europe/Berlin moves to summer time on Sunday 2027-03-28. 22:15 local is 21:15Z
            // on Saturday 27 March (CET) and 20:15Z on Saturday 3 April (CEST).
            for (start, blocked) in [("2027-03-27T21:15:00Z", true), ("2027-04-03T20:15:00Z", true),
                                     ("2027-03-27T20:15:00Z", false), ("2027-04-03T19:15:00Z", false)] {
                let create = CreateRelease(title: "At \(start)", requester: "alice", coordinator: "carol",
                                           scheduledStart: Self.utc(start), scheduledEnd: Self.utc(start).addingTimeInterval(1_800))
                if blocked {
                    let refusal = await harness.refusal(create, as: "alice")
                    #expect(refusal?.rule == "freezes.blackout" && refusal?.message.contains("'Weekend freeze'") == true, "\(start)")
                } else {
                    #expect(try await harness.send(create, as: "alice").status == .draft, "\(start)")
                }
            }
            // A malformed window is refused naming the field; nothing is stored.
            var bad = Self.weekend
            bad.schedule.durationMinutes = 0
            #expect(await harness.refusal(bad, as: "admin")?.fields?["schedule.durationMinutes"] != nil)
            let count = try await harness.pool.query("SELECT count(*) FROM \(identifier: harness.schema).freeze_windows").single().decode(at: 0, as: Int.self)
            #expect(count == 1)
        }
    }

    @Test("scheduling and approving inside a blackout: refused, a release manager's reason passes it (audited), a new schedule needs a new one")
    func schedulingAndApproving() async throws {
        try await PlanningHarness.run { harness in
            _ = await harness.refusal(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
            let yearEnd = try await harness.send(SaveFreezeWindow(
                name: "Year end", kind: "blackout", timeZone: "Europe/Berlin",
                schedule: FreezeScheduleInput(start: "2027-12-20T00:00", end: "2028-01-05T00:00")), as: "admin")
            let start = Self.utc("2027-12-22T08:00:00Z")
            var create = CreateRelease(title: "Year-end patch", requester: "alice", coordinator: "carol",
                                       scheduledStart: start, scheduledEnd: start.addingTimeInterval(7_200))
            #expect(await harness.refusal(create, as: "alice")?.rule == "freezes.blackout")
            create.freezeOverrideReason = "security fix the CAB agreed to"
            #expect(await harness.refusal(create, as: "alice")?.rule == "freezes.override_role")
            create.asReleaseManager = true
            let key = try await harness.send(create, as: "rita").releaseKey
            let trail = try await harness.send(VerifyAuditTrail(releaseKey: key), as: "auditor")
            #expect(trail.intact)
            #expect(try await harness.outboxTypes(key).contains(DeploymentGuardsOverridden.messageType))
            let stored = try await harness.pool.withTransaction { try await DeploymentOverrideRepository(schema: harness.schema).override(of: key, in: $0) }
            #expect(stored?.windows == [yearEnd.id] && stored?.reason == "security fix the CAB agreed to" && stored?.actor == "rita")
            // Rescheduling within the blackout needs a new override: the one on record was for the old schedule.
            let reschedule = await harness.refusal(UpdateRelease(
                releaseKey: key, scheduledStart: Self.utc("2027-12-23T08:00:00Z"), scheduledEnd: Self.utc("2027-12-23T09:00:00Z"),
                expectedPhase: .initiate), as: "carol")
            #expect(reschedule?.rule == "freezes.blackout")

            // Approving is allowed: the override on record covers this schedule.
            _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
            _ = try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave")

            // Another release is scheduled clear of it; a blackout added later stops its approval
            // until a release manager overrides.
            let clear = Self.utc("2027-11-10T08:00:00Z")
            let other = try await harness.send(CreateRelease(
                title: "November", requester: "alice", coordinator: "carol", scheduledStart: clear, scheduledEnd: clear.addingTimeInterval(3_600)),
                as: "alice").releaseKey
            _ = try await harness.send(SubmitRelease(releaseKey: other), as: "alice")
            _ = try await harness.send(SaveFreezeWindow(
                name: "Audit week", kind: "blackout", timeZone: "UTC",
                schedule: FreezeScheduleInput(start: "2027-11-08T00:00", end: "2027-11-13T00:00")), as: "admin")
            // A maintenance window never refuses.
            _ = try await harness.send(SaveFreezeWindow(
                name: "Patch night", kind: "maintenance", timeZone: "UTC",
                schedule: FreezeScheduleInput(start: "2027-11-10T00:00", end: "2027-11-11T00:00")), as: "admin")
            let approval = await harness.refusal(ApproveRelease(releaseKey: other, expectedPhase: .initiate), as: "dave")
            #expect(approval?.rule == "freezes.blackout" && approval?.message.contains("'Audit week'") == true
                && approval?.message.contains("Patch night") == false)
            #expect(await harness.refusal(OverrideDeploymentGuards(releaseKey: other, reason: "fine"), as: "dave")?.rule == "freezes.override_role")
            #expect(await harness.refusal(OverrideDeploymentGuards(releaseKey: other, reason: "", asReleaseManager: true), as: "rita")?.rule
                == "freezes.override_reason")
            let report = try await harness.send(OverrideDeploymentGuards(releaseKey: other, reason: "auditors agreed", asReleaseManager: true), as: "rita")
            #expect(report.freezes.map(\.windowName) == ["Audit week"] && report.freezes.allSatisfy { $0.overridden })
            #expect(try await harness.send(ApproveRelease(releaseKey: other, expectedPhase: .initiate), as: "dave").status == .inProgress)

        }
    }

    @Test("two releases sharing a CI in overlapping windows collide: reported to both, deploy refused until a release manager overrides")
    func collisions() async throws {
        try await PlanningHarness.run { harness in
            _ = await harness.refusal(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-SRV-0001", name: "web server", ciClass: .server, site: "FRA1"), as: "admin")
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0001", name: "shop", ciClass: .application, site: "FRA1"), as: "admin")
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0002", name: "wiki", ciClass: .application, site: "AMS1"), as: "admin")
            _ = try await harness.send(RelateConfigurationItems(source: "CI-APP-0001", kind: .runsOn, target: "CI-SRV-0001"), as: "admin")
            let t0 = Self.utc("2027-06-01T08:00:00Z")
            func release(_ title: String, _ ci: String, from hours: Double, to end: Double) async throws -> String {
                let key = try await harness.send(CreateRelease(
                    title: title, requester: "alice", coordinator: "carol",
                    scheduledStart: t0.addingTimeInterval(hours * 3_600), scheduledEnd: t0.addingTimeInterval(end * 3_600)), as: "alice").releaseKey
                _ = try await harness.send(AddChange(releaseKey: key, change: ChangeRequestInput(
                    externalId: "CHG-\(title)", title: "Change \(title)", status: "approved", risk: "low", affectedCIs: [ci])), as: "alice")
                return key
            }
            // The OS patch of the server impacts the shop running on it; the shop upgrade overlaps it.
            let patch = try await release("patch", "CI-SRV-0001", from: 0, to: 4)
            let upgrade = try await release("upgrade", "CI-APP-0001", from: 2, to: 6)
            let wiki = try await release("wiki", "CI-APP-0002", from: 0, to: 6)  // overlaps, shares nothing
            let later = try await release("later", "CI-APP-0001", from: 6, to: 8)  // shares, after the patch: touches upgrade though
            #expect(try await harness.outboxTypes(upgrade).filter { $0 == ReleaseCollisionsFound.messageType }.count == 1)
            #expect(try await harness.outboxTypes(patch).contains(ReleaseCollisionsFound.messageType))
            #expect(try await !harness.outboxTypes(wiki).contains(ReleaseCollisionsFound.messageType))

            #expect(try await !harness.outboxTypes(later).contains(ReleaseCollisionsFound.messageType))

            // What `shipboard release collisions` shows.
            let queries = DeploymentGuardQueries(schema: harness.schema, pool: harness.pool)
            let seen = try await queries.report(of: upgrade, at: t0.addingTimeInterval(-86_400))
            #expect(seen.collisions.map(\.releaseKey) == [patch] && seen.collisions.first?.sharedCIs == ["CI-APP-0001"])
            #expect(seen.collisions.first?.overlapStart == t0.addingTimeInterval(7_200) && seen.collisions.first?.overridden == false)
            #expect(try await queries.report(of: wiki).collisions.isEmpty)

            // The upgrade goes through the phases; entering deploy is refused while the collision stands.
            _ = try await harness.send(SubmitRelease(releaseKey: upgrade), as: "alice")
            _ = try await harness.send(ApproveRelease(releaseKey: upgrade, expectedPhase: .initiate), as: "dave")
            for phase in [ReleasePhase.initiate, .plan, .build, .test, .rolloutPlan] {
                _ = try await harness.send(AdvanceRelease(releaseKey: upgrade, expectedPhase: phase), as: "carol")
            }
            let refused = await harness.refusal(AdvanceRelease(releaseKey: upgrade, expectedPhase: .prepare), as: "carol")
            #expect(refused?.rule == "collisions.unresolved" && refused?.message.contains(patch) == true)
            #expect(await harness.refusal(OverrideDeploymentGuards(releaseKey: wiki, reason: "why not", asReleaseManager: true), as: "rita")?.rule
                == "deployment_guards.clear")
            let override = try await harness.send(
                OverrideDeploymentGuards(releaseKey: upgrade, reason: "patch team agreed to go second", asReleaseManager: true), as: "rita")
            #expect(override.collisions.map(\.releaseKey) == [patch] && override.collisions.allSatisfy { $0.overridden })
            #expect(await harness.refusal(OverrideDeploymentGuards(releaseKey: upgrade, reason: "clicked twice", asReleaseManager: true), as: "rita")?
                .rule == "deployment_guards.already_overridden")
            #expect(try await harness.send(AdvanceRelease(releaseKey: upgrade, expectedPhase: .prepare), as: "carol").phase == .deploy)

            // The deploy phase checks blackouts again when it starts: one around now, for AMS1 only, stops the wiki.
            let now = Date()
            func local(_ date: Date) -> String { String(ISO8601DateFormatter().string(from: date).prefix(16)) }
            _ = try await harness.send(SaveFreezeWindow(
                name: "AMS1 power work", kind: "blackout", timeZone: "UTC",
                schedule: FreezeScheduleInput(start: local(now.addingTimeInterval(-3_600)), end: local(now.addingTimeInterval(3 * 3_600))),
                sites: ["AMS1"]), as: "admin")
            _ = try await harness.send(SubmitRelease(releaseKey: wiki), as: "alice")
            _ = try await harness.send(ApproveRelease(releaseKey: wiki, expectedPhase: .initiate), as: "dave")
            for phase in [ReleasePhase.initiate, .plan, .build, .test, .rolloutPlan] {
                _ = try await harness.send(AdvanceRelease(releaseKey: wiki, expectedPhase: phase), as: "carol")
            }
            let frozen = await harness.refusal(AdvanceRelease(releaseKey: wiki, expectedPhase: .prepare), as: "carol")
            #expect(frozen?.rule == "freezes.blackout" && frozen?.message.contains("AMS1 power work") == true)
            let trail = try await harness.send(VerifyAuditTrail(releaseKey: upgrade), as: "auditor")
            #expect(trail.intact)
        }
    }

    @Test("a window or an override resent after a timeout (same envelope) is applied once and answered as the first time")
    func resends() async throws {
        try await PlanningHarness.run { harness in
            let save = Envelope(Self.weekend, correlationId: "freeze-resend", actor: "admin")
            let first = try await harness.requests.send(save, timeout: .seconds(10))
            let again = try await harness.requests.send(save, timeout: .seconds(10))
            #expect(first == again)
            let windows = try await harness.pool.query("SELECT count(*) FROM \(identifier: harness.schema).freeze_windows").single().decode(at: 0, as: Int.self)
            #expect(windows == 1)
            // 22:15 Berlin on a Saturday, overridden by a release manager, the override resent.
            let start = Self.utc("2027-04-03T20:15:00Z")
            var create = CreateRelease(title: "Resent", requester: "alice", scheduledStart: start, scheduledEnd: start.addingTimeInterval(600))
            create.freezeOverrideReason = "vendor window"
            create.asReleaseManager = true
            let created = Envelope(create, correlationId: "create-resend", actor: "rita")
            let key = try await harness.requests.send(created, timeout: .seconds(10)).releaseKey
            #expect(try await harness.requests.send(created, timeout: .seconds(10)).releaseKey == key)
            #expect(try await harness.outboxTypes(key).filter { $0 == DeploymentGuardsOverridden.messageType }.count == 1)
        }
    }
}
