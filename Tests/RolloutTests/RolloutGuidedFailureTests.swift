import Contracts
import Foundation
import RolloutCore
import ShipboardTestSupport
import Testing

/// Guided failure below the threshold, with replicas as processes and the `local` driver: a
/// rollout whose targets failed waits for a person instead of completing; a retry deploys the
/// target again, a skip settles it, and then it completes.
@Suite("shipboard-rollout guided failure", .serialized)
struct RolloutGuidedFailureTests {
    @Test("two installs fail once (threshold 3, no halt): the rollout waits with both failed; retrying one deploys it again and it succeeds, skipping the other with a reason settles it, and the rollout completes")
    func retryAndSkipFailedTargets() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: [("A", 3), ("B", 2)])
            // A target fails while a marker file sits in its folder (the install removes it first).
            let install = "#!/bin/sh\nset -e\nif [ -f \"$SHIPBOARD_TARGET_ROOT/fail-once\" ]; then rm \"$SHIPBOARD_TARGET_ROOT/fail-once\"; exit 4; fi\n"
                + "mkdir -p \"$SHIPBOARD_TARGET_ROOT/opt/app\"\ncp payload/app.conf \"$SHIPBOARD_TARGET_ROOT/opt/app/\"\n"
            let dml = try RolloutDMLServer(folder: harness.folder, changes: ["install.sh": install])
            try await fixture.insert(sha256: dml.sha256, size: dml.size, owner: harness.owner)
            let (retried, skipped) = (fixture.targetKeys[1], fixture.targetKeys[3])
            for key in [retried, skipped] {
                try FileManager.default.createDirectory(atPath: harness.folder + "/targets/\(key)", withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: harness.folder + "/targets/\(key)/fail-once", contents: Data())
            }
            let key = fixture.releaseKey
            @Sendable func task(_ ci: String) -> String { RolloutTaskKey.make(source: fixture.sources[0], target: ci) }
            try await dml.serve { url in
                harness.dmlURL = url
                try harness.launch("r1")
                let definition = RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), window: 2, failureThreshold: .count(3))
                _ = try await harness.send(RequestRolloutPlan(releaseKey: key, definition: definition), releaseKey: key)
                _ = try await harness.send(RequestRolloutStart(releaseKey: key), releaseKey: key)
                _ = try await harness.receive(of: key) { seen in
                    seen.filter { $0 == RolloutTargetSucceeded.messageType }.count == 3 && seen.filter { $0 == RolloutTargetFailed.messageType }.count == 2
                }
                try await Task.sleep(for: .seconds(1))  // several coordinator passes: it must not complete
                var states = try await harness.states(of: key)
                #expect(states.rollout == "running" && states.targets[task(retried)] == "failed" && states.targets[task(skipped)] == "failed")
                // Retry by CI key, skip by task key.
                let retry = try await harness.send(ControlRollout(releaseKey: key, action: .retry, targets: [retried]), releaseKey: key)
                #expect(retry.changedTargets == [task(retried)])
                do {
                    _ = try await harness.send(ControlRollout(releaseKey: key, action: .skip, targets: [task(skipped)]), releaseKey: key)
                    Issue.record("a skip without a reason was accepted")
                } catch let error as CommandError {
                    #expect(error.kind == .validation)
                }
                _ = try await harness.send(
                    ControlRollout(releaseKey: key, action: .skip, targets: [task(skipped)], reason: "host decommissioned"), releaseKey: key)
                #expect(try await harness.waitFor(key, states: ["completed", "halted", "backed_out"], limit: .seconds(60)) == "completed")
                states = try await harness.states(of: key)
                #expect(states.targets[task(retried)] == "succeeded" && states.targets[task(skipped)] == "skipped")
                #expect(states.targets.values.filter { $0 == "succeeded" }.count == 4)
                #expect(FileManager.default.fileExists(atPath: harness.folder + "/targets/\(retried)/opt/app/app.conf"))
                let attempts = try await harness.owner.query(
                    """
                    SELECT a.attempt, a.outcome FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id
                    WHERE r.release_key = \(key) AND a.task_key = \(task(retried)) ORDER BY a.attempt
                    """).map { try $0.decode((Int, String).self) }
                #expect(attempts.map(\.0) == [1, 2] && attempts.map(\.1) == ["failed", "succeeded"])
            }
        }
    }
}
