import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// Guided failure with real processes and the `local` driver: the failure threshold halts the
/// rollout and backs out what the current wave changed, in reverse order.
@Suite("shipboard-rollout halts and backs out", .serialized)
struct RolloutHaltTests {
    @Test("a target whose install fails reaches the threshold of 1: the rollout halts, the wave's succeeded targets are backed out latest first with backout.sh, the earlier wave stays, and the release's rollout ends backed out")
    func thresholdHaltsAndBacksOut() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: [("FRA1", 3), ("AMS1", 4)])
            let failing = fixture.servers.filter { $0.site == fixture.site("AMS1") }[2].key
            let install = "#!/bin/sh\nset -e\nif [ \"$SHIPBOARD_TARGET_CI\" = \"\(failing)\" ]; then echo disk full >&2; exit 3; fi\n"
                + "mkdir -p \"$SHIPBOARD_TARGET_ROOT/opt/app\"\ncp payload/app.conf \"$SHIPBOARD_TARGET_ROOT/opt/app/\"\n"
            let dml = try RolloutDMLServer(folder: harness.folder, changes: ["install.sh": install])
            try await fixture.insert(sha256: dml.sha256, size: dml.size, owner: harness.owner)
            try await dml.serve { url in
                harness.dmlURL = url
                try harness.launch("r1")
                let definition = RolloutDefinition(
                    targets: RolloutTargetSelection(sites: fixture.sites), siteOrder: ["FRA1", "AMS1"].map(fixture.site), window: 1,
                    failureThreshold: .count(1))
                _ = try await harness.send(RequestRolloutPlan(releaseKey: fixture.releaseKey, definition: definition), releaseKey: fixture.releaseKey)
                _ = try await harness.send(RequestRolloutStart(releaseKey: fixture.releaseKey), releaseKey: fixture.releaseKey)
                let events = try await harness.receive(of: fixture.releaseKey) { $0.contains(RolloutBackedOut.messageType) }
                #expect(events.contains(RolloutHalted.messageType))
                #expect(events.filter { $0 == RolloutTargetFailed.messageType }.count == 1)
                #expect(events.filter { $0 == RolloutTargetBackedOut.messageType }.count == 2)
                let states = try await harness.states(of: fixture.releaseKey)
                #expect(states.rollout == "backed_out")
                let ams = fixture.servers.filter { $0.site == fixture.site("AMS1") }.map(\.key)
                let fra = fixture.servers.filter { $0.site == fixture.site("FRA1") }.map(\.key)
                func state(_ ci: String) -> String? { states.targets[RolloutTaskKey.make(source: fixture.sources[0], target: ci)] }
                #expect(fra.allSatisfy { state($0) == "succeeded" })
                #expect(state(ams[0]) == "backed_out" && state(ams[1]) == "backed_out" && state(ams[2]) == "failed" && state(ams[3]) == "pending")
                // Backed out on disk; the first wave's install stays.
                for key in ams { #expect(!FileManager.default.fileExists(atPath: harness.folder + "/targets/\(key)/opt/app/app.conf")) }
                for key in fra { #expect(FileManager.default.fileExists(atPath: harness.folder + "/targets/\(key)/opt/app/app.conf")) }
                // Latest success first.
                let backouts = try await harness.owner.query(
                    """
                    SELECT a.task_key FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id
                    WHERE r.release_key = \(fixture.releaseKey) AND a.action = 'backout' ORDER BY a.started_at
                    """).map { try $0.decode(at: 0, as: String.self) }
                #expect(backouts == [ams[1], ams[0]].map { RolloutTaskKey.make(source: fixture.sources[0], target: $0) })
                let reason = try await harness.owner.query(
                    "SELECT reason FROM rollout.rollouts WHERE release_key = \(fixture.releaseKey)").single().decode(at: 0, as: String.self)
                #expect(reason.contains("failure threshold of 1"))
            }
        }
    }
}
