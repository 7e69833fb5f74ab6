import Contracts
import GatewayCore
import RolloutCore
import Testing

/// The progress rules: counts by state, settled and percent, rate over the last minute and
/// the ETA it gives; and when a site's targets wait for a worker.
@Suite("Rollout progress (pure)")
struct RolloutProgressTests {
    @Test("counts by wire name; a state the gateway does not know is refused, not counted")
    func counts() throws {
        let counts = try RolloutCounts(byState: ["pending": 3, "running": 2, "succeeded": 4, "failed": 1, "backed_out": 1, "skipped": 1])
        #expect(counts.total == 12 && counts.settled == 7 && counts.backedOut == 1 && counts.excluded == 0)
        #expect(throws: CommandError.self) { try RolloutCounts(byState: ["pending": 1, "exploded": 1]) }
    }

    @Test("percent rounds down; the rate is settled in the last 60 s per second; the ETA is what remains at it, rounded up")
    func rateAndETA() throws {
        let progress = RolloutProgress(counts: try RolloutCounts(byState: ["succeeded": 2, "failed": 1, "pending": 6]), settledLastMinute: 3)
        #expect(progress.settled == 3 && progress.percent == 33)
        #expect(progress.ratePerSecond == 0.05)
        #expect(progress.etaSeconds == 120)
        let fast = RolloutProgress(counts: try RolloutCounts(byState: ["succeeded": 599, "running": 1]), settledLastMinute: 599)
        #expect(fast.etaSeconds == 1, "one target left at ~10/s is 1 s, not 0")
        #expect(fast.percent == 99, "not 100 while a target runs")
    }

    @Test("no ETA when nothing settled in the last minute or nothing remains; an empty rollout is 0 %")
    func noETA() throws {
        let stuck = RolloutProgress(counts: try RolloutCounts(byState: ["running": 5]), settledLastMinute: 0)
        #expect(stuck.etaSeconds == nil && stuck.ratePerSecond == 0 && stuck.percent == 0)
        let done = RolloutProgress(counts: try RolloutCounts(byState: ["succeeded": 5]), settledLastMinute: 5)
        #expect(done.etaSeconds == nil && done.percent == 100)
        let empty = RolloutProgress(counts: RolloutCounts(), settledLastMinute: 0)
        #expect(empty.percent == 0 && empty.etaSeconds == nil)
        #expect(RolloutProgress(counts: RolloutCounts(), settledLastMinute: -4).settledLastMinute == 0)
    }

    @Test("a dispatched, unclaimed target waits only while no live worker of its pool serves its site")
    func waiting() {
        #expect(RolloutWorkerLiveness.isWaiting(state: "running", leaseOwner: nil, liveWorkers: 0))
        #expect(!RolloutWorkerLiveness.isWaiting(state: "running", leaseOwner: nil, liveWorkers: 1))
        #expect(!RolloutWorkerLiveness.isWaiting(state: "running", leaseOwner: "replica-1", liveWorkers: 0))
        #expect(!RolloutWorkerLiveness.isWaiting(state: "pending", leaseOwner: nil, liveWorkers: 0))
        #expect(RolloutWorkerLiveness.waiting(unclaimed: 3, liveWorkers: 0) == 3)
        #expect(RolloutWorkerLiveness.waiting(unclaimed: 3, liveWorkers: 2) == 0)
    }

    @Test("an action is checked before it is sent: targets only where they belong, 1 to 1,000, short; reasons where required")
    func controlInput() throws {
        try RolloutControlInput.check(ControlRollout(releaseKey: "REL-000001", action: .pause))
        try RolloutControlInput.check(ControlRollout(releaseKey: "REL-000001", action: .retry, targets: ["rollout-a-b"]))
        try RolloutControlInput.check(ControlRollout(releaseKey: "REL-000001", action: .skip, targets: ["CI-SRV-0001"], reason: "gone"))
        let refused: [ControlRollout] = [
            ControlRollout(releaseKey: "REL-000001", action: .retry),
            ControlRollout(releaseKey: "REL-000001", action: .retry, targets: []),
            ControlRollout(releaseKey: "REL-000001", action: .retry, targets: Array(repeating: "rollout-a-b", count: 1_001)),
            ControlRollout(releaseKey: "REL-000001", action: .retry, targets: [String(repeating: "x", count: 300)]),
            ControlRollout(releaseKey: "REL-000001", action: .retry, targets: ["rollout-a\u{0}b"]),
            ControlRollout(releaseKey: "REL-000001", action: .pause, targets: ["rollout-a-b"]),
            ControlRollout(releaseKey: "REL-000001", action: .abort),
            ControlRollout(releaseKey: "REL-000001", action: .exclude, targets: ["rollout-a-b"]),
            ControlRollout(releaseKey: "REL-000001", action: .abort, reason: String(repeating: "r", count: 1_001)),
            ControlRollout(releaseKey: "REL-000001", action: .abort, reason: "../../etc/passwd\u{0}"),
            ControlRollout(releaseKey: "REL-000001", action: .unknown("explode")),
        ]
        for command in refused {
            #expect(throws: CommandError.self, "\(command.action.rawValue) \(command.targets?.count ?? 0)") {
                try RolloutControlInput.check(command)
            }
        }
    }

    @Test("a target filter refuses hostile text, negative waves, unknown states and page sizes out of range")
    func filter() throws {
        _ = try RolloutTargetFilter(state: .failed, site: "dc1", wave: 0, limit: 200, afterTaskKey: "rollout-a-b")
        for make in [
            { try RolloutTargetFilter(site: String(repeating: "s", count: 300)) },
            { try RolloutTargetFilter(site: "dc\u{0}1") },
            { try RolloutTargetFilter(wave: -1) },
            { try RolloutTargetFilter(state: .unknown("exploded")) },
            { try RolloutTargetFilter(limit: 0) },
            { try RolloutTargetFilter(limit: 201) },
            { try RolloutTargetFilter(afterTaskKey: "../../" + String(repeating: "x", count: 200)) },
        ] as [() throws -> RolloutTargetFilter] {
            #expect(throws: CommandError.self) { _ = try make() }
        }
    }
}
