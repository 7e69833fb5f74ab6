import Contracts
import Foundation
import PlanningCore
import Testing

/// The freeze rule for deployments: blackouts refuse, scoped ones only what they cover, and a
/// release manager's override with a reason lets a deployment through. Pure; no servers.
@Suite("Freeze window checks and overrides")
struct FreezeWindowCheckTests {
    typealias F = FreezeFixtures

    static let yearEndText = "'Year end' 2025-12-20 00:00 – 2026-01-05 00:00 Europe/Berlin"
    static let yearEndField = "window.00000000-0000-0000-0000-000000000002"

    func deployment(_ start: String, _ end: String, sites: Set<String> = [], ciClasses: Set<CIClass> = []) -> ProposedDeployment {
        ProposedDeployment(start: F.utc(start), end: F.utc(end), sites: sites, ciClasses: ciClasses)
    }

    @Test("a deployment inside a one-off blackout is refused naming the window and its local times; touching its edges is no conflict")
    func oneOffEdges() throws {
        let check = FreezeCheck(windows: [try F.yearEnd()])
        // Half-open intervals: ending as the freeze starts, or starting as it ends, is fine.
        #expect(try check.clearance(for: deployment("2025-12-19T22:00:00Z", "2025-12-19T23:00:00Z"), override: nil, isReleaseManager: false) == .clear)
        #expect(try check.clearance(for: deployment("2026-01-04T23:00:00Z", "2026-01-05T01:00:00Z"), override: nil, isReleaseManager: false) == .clear)
        let conflicts = try check.conflicts(with: deployment("2026-01-04T22:59:00Z", "2026-01-04T23:30:00Z"))
        #expect(conflicts.map { [$0.start, $0.end] } == [[F.utc("2025-12-19T23:00:00Z"), F.utc("2026-01-04T23:00:00Z")]])
        #expect(conflicts.map(\.windowID) == [F.id(2)])
        let error = F.refusal("freezes.blackout", kind: .conflict) {
            try check.clearance(for: deployment("2025-12-01T00:00:00Z", "2026-02-01T00:00:00Z"), override: nil, isReleaseManager: true)
        }
        #expect(error == CommandError(
            .conflict, "the deployment falls in a blackout: \(Self.yearEndText); a release manager may override with a reason",
            rule: "freezes.blackout", fields: [Self.yearEndField: Self.yearEndText]))
    }

    @Test("a weekly blackout blocks at 22:00 local on both sides of the March change in Berlin, at instants an hour apart")
    func weeklyAcrossDaylightSaving() throws {
        let check = FreezeCheck(windows: [try F.weekly()])
        // 22:00 CEST is 20:00Z: blocked after the change, though 20:00Z was outside the window a week earlier.
        let after = F.refusal("freezes.blackout", kind: .conflict) {
            try check.clearance(for: deployment("2025-04-05T20:00:00Z", "2025-04-05T20:30:00Z"), override: nil, isReleaseManager: false)
        }
        #expect(after?.fields == ["window.00000000-0000-0000-0000-000000000001": "'Weekend change freeze' 2025-04-05 22:00 – 2025-04-06 02:00 Europe/Berlin"])
        #expect(try check.clearance(for: deployment("2025-03-29T20:00:00Z", "2025-03-29T21:00:00Z"), override: nil, isReleaseManager: false) == .clear)
        F.refusal("freezes.blackout", kind: .conflict) {
            try check.clearance(for: deployment("2025-03-29T21:00:00Z", "2025-03-29T21:01:00Z"), override: nil, isReleaseManager: false)
        }
        #expect(try check.clearance(for: deployment("2025-11-01T20:00:00Z", "2025-11-01T21:00:00Z"), override: nil, isReleaseManager: false) == .clear)
    }

    @Test("a deployment spanning several occurrences is refused once per window, saying how many more")
    func manyOccurrences() throws {
        let check = FreezeCheck(windows: [try F.weekly(), try F.yearEnd()])
        let error = F.refusal("freezes.blackout", kind: .conflict) {
            try check.clearance(for: deployment("2025-12-15T00:00:00Z", "2026-01-01T00:00:00Z"), override: nil, isReleaseManager: false)
        }
        #expect(error?.fields == [
            "window.00000000-0000-0000-0000-000000000001": "'Weekend change freeze' 2025-12-20 22:00 – 2025-12-21 02:00 Europe/Berlin and 1 more",
            Self.yearEndField: Self.yearEndText,
        ])
        #expect(error?.message.contains("blackout: 'Year end' 2025-12-20 00:00 – 2026-01-05 00:00 Europe/Berlin; 'Weekend change freeze'") == true)
    }

    @Test("maintenance windows never refuse a deployment, inside or outside them")
    func maintenanceIsInformational() throws {
        let check = FreezeCheck(windows: [try F.yearEnd(kind: .maintenance)])
        #expect(try check.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z")).isEmpty)
        #expect(try check.clearance(for: deployment("2025-11-24T00:00:00Z", "2025-11-24T01:00:00Z"), override: nil, isReleaseManager: false) == .clear)
    }

    @Test("a blackout scoped to a site refuses only deployments touching that site")
    func scopeBySite() throws {
        let check = FreezeCheck(windows: [try F.yearEnd(scope: FreezeScope(sites: ["FRA1"]))])
        #expect(try check.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["LON2"], ciClasses: [.database])).isEmpty)
        #expect(try check.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["LON2", "FRA1"])).count == 1)
        #expect(try check.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["fra1"])).isEmpty)
    }

    @Test("a blackout scoped to a CI class refuses only deployments touching that class; sites or classes, either is enough")
    func scopeByClass() throws {
        let databases = FreezeCheck(windows: [try F.yearEnd(scope: FreezeScope(ciClasses: [.database]))])
        #expect(try databases.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["FRA1"], ciClasses: [.server])).isEmpty)
        #expect(try databases.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", ciClasses: [.server, .database])).count == 1)
        let both = FreezeCheck(windows: [try F.yearEnd(scope: FreezeScope(sites: ["FRA1"], ciClasses: [.database]))])
        #expect(try both.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["FRA1"], ciClasses: [.server])).count == 1)
        #expect(try both.conflicts(with: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z", sites: ["LON2"], ciClasses: [.server])).isEmpty)
    }

    @Test("a release manager's override with a reason lets the deployment through and carries the conflicts for the audit trail")
    func overridePasses() throws {
        let check = FreezeCheck(windows: [try F.yearEnd()])
        let override = try FreezeOverride(actor: "rita", reason: "  Security fix for CVE-2025-1234 \n")
        #expect(override.reason == "Security fix for CVE-2025-1234")
        let clearance = try check.clearance(for: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z"), override: override, isReleaseManager: true)
        guard case .overridden(let recorded, let conflicts) = clearance else {
            Issue.record("expected an override, got \(clearance)")
            return
        }
        #expect(recorded == override)
        #expect(conflicts.map { [$0.start, $0.end] } == [[F.utc("2025-12-19T23:00:00Z"), F.utc("2026-01-04T23:00:00Z")]])
        // Nothing to override: the deployment is simply clear.
        #expect(try check.clearance(for: deployment("2026-02-01T00:00:00Z", "2026-02-01T01:00:00Z"), override: override, isReleaseManager: false) == .clear)
    }

    @Test("an override by someone who is not a release manager is forbidden")
    func overrideNeedsTheRole() throws {
        let check = FreezeCheck(windows: [try F.yearEnd()])
        let override = try FreezeOverride(actor: "dave", reason: "Customer asked for it")
        let error = F.refusal("freezes.override_role", kind: .forbidden) {
            try check.clearance(for: deployment("2025-12-24T00:00:00Z", "2025-12-24T01:00:00Z"), override: override, isReleaseManager: false)
        }
        #expect(error?.fields == ["actor": "'dave' is not a release manager"])
        #expect(error?.message == "only a release manager may override a blackout: \(Self.yearEndText)")
    }

    @Test("an override needs a reason of 1 to 500 characters without control characters, and a well-formed actor")
    func overrideNeedsAReason() throws {
        _ = try FreezeOverride(actor: "rita", reason: String(repeating: "r", count: 500))
        for bad in ["", "   \n ", String(repeating: "r", count: 501), "fix\u{0}", "line one\nline two"] {
            let error = F.refusal("freezes.override_reason", kind: .validation) { try FreezeOverride(actor: "rita", reason: bad) }
            #expect(error?.fields == ["reason": "must be 1 to 500 characters without control characters"])
        }
        F.refusal("configuration.person_format", kind: .validation) { try FreezeOverride(actor: " ", reason: "Hotfix") }
    }

    @Test("a deployment must end after it starts")
    func deploymentInterval() throws {
        let check = FreezeCheck(windows: [try F.yearEnd()])
        let error = F.refusal("freezes.deployment_interval", kind: .validation) {
            try check.conflicts(with: deployment("2025-12-24T01:00:00Z", "2025-12-24T01:00:00Z"))
        }
        #expect(error?.fields == ["scheduledEnd": "must be after scheduledStart"])
    }
}
