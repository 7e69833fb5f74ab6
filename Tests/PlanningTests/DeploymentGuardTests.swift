import Contracts
import Foundation
import PlanningCore
import Testing

/// The pure rules of collisions and deployment guards: which releases collide, what an
/// override covers, and what a refusal names.
@Suite("Deployment guards: rules")
struct DeploymentGuardTests {
    static let t0 = FreezeFixtures.utc("2027-01-10T08:00:00Z")

    static func release(_ key: String, from hours: Double, to end: Double, _ impact: Set<String>) -> ReleaseFootprint {
        ReleaseFootprint(key: key, title: "Release \(key)", scheduledStart: t0.addingTimeInterval(hours * 3_600),
                         scheduledEnd: t0.addingTimeInterval(end * 3_600), impact: impact)
    }

    @Test("releases collide only when their impact sets share CIs and their windows overlap")
    func collisions() {
        let mine = Self.release("REL-000001", from: 0, to: 4, ["CI-APP-0001", "CI-SRV-0001"])
        let others = [
            Self.release("REL-000002", from: 2, to: 6, ["CI-SRV-0001", "CI-DB-0001"]),  // shares, overlaps
            Self.release("REL-000003", from: 4, to: 8, ["CI-SRV-0001"]),  // shares, starts as mine ends: no overlap
            Self.release("REL-000004", from: 1, to: 2, ["CI-DB-0002"]),  // overlaps, shares nothing
            ReleaseFootprint(key: "REL-000005", title: "unscheduled", scheduledStart: nil, scheduledEnd: nil, impact: ["CI-APP-0001"]),
            Self.release("REL-000001", from: 0, to: 4, ["CI-APP-0001"]),  // itself
        ]
        let found = ReleaseCollision.collisions(of: mine, with: others)
        #expect(found.map(\.otherKey) == ["REL-000002"])
        #expect(found.first?.sharedCIs == ["CI-SRV-0001"])
        #expect(found.first?.overlap == DateInterval(start: Self.t0.addingTimeInterval(7_200), end: Self.t0.addingTimeInterval(14_400)))
        // A release scheduled to start and end at once still occupies a minute.
        let instant = Self.release("REL-000006", from: 3, to: 3, ["CI-APP-0001"])
        #expect(ReleaseCollision.collisions(of: instant, with: [mine]).map(\.otherKey) == ["REL-000001"])
        // An unscheduled release or one with no CIs collides with nothing.
        #expect(ReleaseCollision.collisions(of: others[3], with: [mine]).isEmpty)
        #expect(ReleaseCollision.collisions(of: Self.release("REL-000007", from: 0, to: 4, []), with: [mine]).isEmpty)
    }

    @Test("an override covers the windows and releases it names, and only while the schedule it was given for holds")
    func overrideCoverage() throws {
        let window = try FreezeFixtures.yearEnd()
        let mine = ReleaseFootprint(key: "REL-000001", title: "x", scheduledStart: FreezeFixtures.utc("2025-12-22T08:00:00Z"),
                                    scheduledEnd: FreezeFixtures.utc("2025-12-22T10:00:00Z"), impact: ["CI-APP-0001"])
        let conflicts = try FreezeCheck(windows: [window]).conflicts(with: try #require(mine.deployment()))
        let collision = ReleaseCollision.collisions(of: mine, with: [
            ReleaseFootprint(key: "REL-000002", title: "y", scheduledStart: mine.window?.start, scheduledEnd: mine.window?.end, impact: ["CI-APP-0001"]),
        ])
        #expect(conflicts.count == 1 && collision.count == 1)

        let blocked = DeploymentGuard(conflicts: conflicts, collisions: collision, override: nil)
        let blackout = FreezeFixtures.refusal("freezes.blackout", kind: .conflict) { try blocked.require("approving REL-000001", checkingCollisions: true) }
        #expect(blackout?.message.contains("'Year end' 2025-12-20 00:00 – 2026-01-05 00:00 Europe/Berlin") == true)
        #expect(blackout?.fields?["window.\(window.id.uuidString.lowercased())"] != nil)

        // Not a release manager, no reason, nothing to override: each refused with its rule.
        FreezeFixtures.refusal("freezes.override_role", kind: .forbidden) {
            try blocked.newOverride(by: "dave", isReleaseManager: false, reason: "urgent fix", scheduledStart: nil, scheduledEnd: nil, at: Self.t0)
        }
        FreezeFixtures.refusal("freezes.override_reason", kind: .validation) {
            try blocked.newOverride(by: "rita", isReleaseManager: true, reason: " \u{0} ", scheduledStart: nil, scheduledEnd: nil, at: Self.t0)
        }
        FreezeFixtures.refusal("deployment_guards.clear", kind: .conflict) {
            try DeploymentGuard(conflicts: [], collisions: [], override: nil)
                .newOverride(by: "rita", isReleaseManager: true, reason: "why not", scheduledStart: nil, scheduledEnd: nil, at: Self.t0)
        }
        let override = try blocked.newOverride(
            by: "rita", isReleaseManager: true, reason: "security fix, CAB agreed",
            scheduledStart: mine.window?.start, scheduledEnd: mine.window?.end, at: Self.t0)
        let covered = DeploymentGuard(conflicts: conflicts, collisions: collision, override: override)
        // A second click finds it all covered already.
        FreezeFixtures.refusal("deployment_guards.already_overridden", kind: .conflict) {
            try covered.newOverride(by: "rita", isReleaseManager: true, reason: "again", scheduledStart: nil, scheduledEnd: nil, at: Self.t0)
        }
        try covered.require("starting the deployment of REL-000001", checkingCollisions: true)
        #expect(covered.report(for: "REL-000001").freezes.allSatisfy { $0.overridden })
        #expect(covered.report(for: "REL-000001").collisions.allSatisfy { $0.overridden })
        #expect(override.applies(toScheduleFrom: mine.window?.start, to: mine.window?.end))
        #expect(!override.applies(toScheduleFrom: mine.window?.start, to: nil))

        // A collision that appeared after the override is not covered by it.
        let newcomer = ReleaseCollision.collisions(of: mine, with: [
            ReleaseFootprint(key: "REL-000009", title: "z", scheduledStart: mine.window?.start, scheduledEnd: mine.window?.end, impact: ["CI-APP-0001"]),
        ])
        let later = DeploymentGuard(conflicts: conflicts, collisions: collision + newcomer, override: override)
        let refusal = FreezeFixtures.refusal("collisions.unresolved", kind: .conflict) { try later.require("starting", checkingCollisions: true) }
        #expect(refusal?.message.contains("REL-000009") == true && refusal?.message.contains("REL-000002") == false)
        // Approving checks blackouts only.
        try later.require("approving", checkingCollisions: false)
    }

    @Test("a deployment starting now runs to its scheduled end, or an hour when that has passed or is missing")
    func windowStartingNow() {
        let scheduled = Self.release("REL-000001", from: -1, to: 3, ["CI-APP-0001"])
        #expect(DeploymentWindow.startingNow(Self.t0, footprint: scheduled) == DateInterval(start: Self.t0, end: Self.t0.addingTimeInterval(3 * 3_600)))
        let late = Self.release("REL-000002", from: -5, to: -4, ["CI-APP-0001"])
        #expect(DeploymentWindow.startingNow(Self.t0, footprint: late).duration == DeploymentWindow.assumedDuration)
        let ahead = Self.release("REL-000003", from: 24, to: 26, [])
        #expect(DeploymentWindow.forOverride(at: Self.t0, footprint: ahead) == ahead.window)
    }

    @Test("freeze windows written as text: one-off, weekly, and each malformed field named")
    func windowInput() throws {
        let weekly = try FreezeWindow(SaveFreezeWindow(
            name: "Weekend", kind: "blackout", timeZone: "Europe/Berlin",
            schedule: FreezeScheduleInput(weekdays: ["saturday", "sunday"], startTime: "22:00", durationMinutes: 240),
            sites: ["FRA1"], ciClasses: ["database"]), id: FreezeFixtures.id(1))
        #expect(weekly.summary.schedule.weekdays == ["saturday", "sunday"] && weekly.summary.sites == ["FRA1"])
        #expect(try FreezeWindow(SaveFreezeWindow(name: "Weekend", kind: "blackout", timeZone: "Europe/Berlin", schedule: weekly.scheduleInput,
                                                  sites: ["FRA1"], ciClasses: ["database"]), id: weekly.id) == weekly)
        let both = FreezeFixtures.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(SaveFreezeWindow(name: "x", kind: "blackout", timeZone: "UTC",
                                              schedule: FreezeScheduleInput(start: "2027-01-01T00:00", weekdays: ["monday"])), id: UUID())
        }
        #expect(both?.fields?["schedule"] != nil)
        let day = FreezeFixtures.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(SaveFreezeWindow(name: "x", kind: "blackout", timeZone: "UTC",
                                              schedule: FreezeScheduleInput(weekdays: ["caturday"], startTime: "22:00", durationMinutes: 60)), id: UUID())
        }
        #expect(day?.fields?["schedule.weekdays"] != nil)
        let kind = FreezeFixtures.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(SaveFreezeWindow(name: "x", kind: "holiday", timeZone: "UTC",
                                              schedule: FreezeScheduleInput(start: "2027-01-01T00:00", end: "2027-01-02T00:00")), id: UUID())
        }
        #expect(kind?.fields?["kind"] != nil)
        let zone = FreezeFixtures.refusal("freezes.well_formed", kind: .validation) {
            try FreezeWindow(SaveFreezeWindow(name: "x\u{0}", kind: "blackout", timeZone: "Mars/Olympus",
                                              schedule: FreezeScheduleInput(start: "2027-01-01T00:00", end: "2027-01-02T00:00")), id: UUID())
        }
        #expect(zone?.fields?["timeZone"] != nil && zone?.fields?["name"] != nil)
    }
}
