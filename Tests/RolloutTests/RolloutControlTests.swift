import Contracts
import Foundation
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// A person's control of a running rollout, against replicas as processes (simulated driver).
@Suite("shipboard-rollout control", .serialized)
struct RolloutControlTests {
    static let settings = ["SHIPBOARD_ROLLOUT_DRIVER": "simulated", "SHIPBOARD_ROLLOUT_SIMULATED_LATENCY": "fixed:250ms"]

    func attempts(_ harness: RolloutProcessHarness, _ releaseKey: String) async throws -> Int {
        try await harness.owner.query(
            """
            SELECT count(*) FROM rollout.attempts a JOIN rollout.rollouts r ON r.id = a.rollout_id WHERE r.release_key = \(releaseKey)
            """).single().decode(at: 0, as: Int.self)
    }

    @Test("pause lets the running deploy finish and starts nothing new; resume goes on; abort with a reason backs out every success latest first; hostile or impossible requests are refused with their rule")
    func pauseResumeAbort() async throws {
        try await RolloutProcessHarness.run { harness in
            let fixture = RolloutFixture(sources: 1, sites: [("A", 8)])
            try await fixture.insert(sha256: String(repeating: "b", count: 64), size: 1, owner: harness.owner)
            try harness.launch("r1", settings: Self.settings)
            let key = fixture.releaseKey
            _ = try await harness.send(
                RequestRolloutPlan(releaseKey: key, definition: RolloutDefinition(targets: RolloutTargetSelection(sites: fixture.sites), window: 1)),
                releaseKey: key)
            // Refusals before anything runs.
            await #expect(throws: CommandError.self) {
                _ = try await harness.send(ControlRollout(releaseKey: key, action: .pause), releaseKey: key)
            }
            for bad in [
                ControlRollout(releaseKey: key, action: .abort, reason: String(repeating: "x", count: 1001)),
                ControlRollout(releaseKey: key, action: .skip, targets: ["CI-X\0"], reason: "why"),
                ControlRollout(releaseKey: key, action: .retry, targets: Array(repeating: "a", count: 1001)),
                ControlRollout(releaseKey: key, action: .unknown("explode")),
                ControlRollout(releaseKey: key, action: .pause, targets: ["a"]),
            ] {
                do {
                    _ = try await harness.send(bad, releaseKey: key)
                    Issue.record("\(bad.action.rawValue) was accepted")
                } catch let error as CommandError {
                    #expect(error.kind == .validation, "\(error)")
                }
            }
            do {
                _ = try await harness.send(ControlRollout(releaseKey: key, action: .skip, targets: ["CI-NOPE-0001"], reason: "gone"), releaseKey: key)
                Issue.record("an unknown target was skipped")
            } catch let error as CommandError {
                #expect(error.kind == .notFound && error.rule == "rollout.unknown_target")
            }
            _ = try await harness.send(RequestRolloutStart(releaseKey: key), releaseKey: key)
            _ = try await harness.receive(of: key) { $0.filter { $0 == RolloutTargetSucceeded.messageType }.count >= 2 }
            let paused = try await harness.send(ControlRollout(releaseKey: key, action: .pause, reason: "change window moved"), releaseKey: key)
            #expect(paused.state == .paused)
            try await Task.sleep(for: .milliseconds(500))  // the deploy running at the pause ends
            let atPause = try await attempts(harness, key)
            try await Task.sleep(for: .milliseconds(1200))  // about 5 more would have started
            #expect(try await attempts(harness, key) == atPause, "a paused rollout started a deploy")
            _ = try await harness.send(ControlRollout(releaseKey: key, action: .resume), releaseKey: key)
            _ = try await harness.receive(of: key) { $0.filter { $0 == RolloutTargetSucceeded.messageType }.count >= 2 }
            let aborted = try await harness.send(ControlRollout(releaseKey: key, action: .abort, reason: "payroll errors in FRA1"), releaseKey: key)
            #expect(aborted.state == .backingOut)
            let final = try await harness.waitFor(key, states: ["backed_out", "halted", "completed"], limit: .seconds(60))
            #expect(final == "backed_out")
            let states = try await harness.states(of: key)
            #expect(!states.targets.values.contains("succeeded") && states.targets.values.contains("backed_out"))
            let reason = try await harness.owner.query("SELECT reason FROM rollout.rollouts WHERE release_key = \(key)")
                .single().decode(at: 0, as: String.self)
            #expect(reason == "aborted by rita: payroll errors in FRA1")
            // Backed out latest success first.
            let order = try await harness.owner.query(
                """
                SELECT t.task_key, t.succeeded_at, min(a.started_at) FILTER (WHERE a.action = 'backout')
                FROM rollout.targets t JOIN rollout.rollouts r ON r.id = t.rollout_id
                JOIN rollout.attempts a ON a.rollout_id = t.rollout_id AND a.task_key = t.task_key
                WHERE r.release_key = \(key) AND t.state = 'backed_out' GROUP BY t.task_key, t.succeeded_at
                """).map { try $0.decode((String, Date, Date).self) }
            let bySuccess = order.sorted { $0.1 > $1.1 }.map(\.0)
            let byBackout = order.sorted { $0.2 < $1.2 }.map(\.0)
            #expect(bySuccess == byBackout && order.count >= 4)
        }
    }
}
