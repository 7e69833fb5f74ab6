import Crypto
import Foundation
import Scripts

/// The `simulated` deploy driver, for load tests: no image is unpacked and no script runs;
/// each deploy waits a latency drawn from ``SimulatedLatency`` and fails with probability
/// `failureRate`.
///
/// - Deterministic: each attempt's draws come from a generator seeded by `seed` and the
///   attempt's identity (task, attempt number), so the same seed gives the same
///   latencies and failures whatever the order, the concurrency or the replica; a retry (a
///   new attempt number) draws afresh.
/// - A back out waits the same way and never fails, so a halted load test always ends
///   backed out.
/// - With a ledger, a deploy that completes is recorded in it and a deploy the ledger already
///   records does nothing, as with the `local` driver: crash tests count installs with it.
public struct SimulatedDriver: DeployDriver {
    public let latency: SimulatedLatency
    /// The share of deploys that fail, 0 to 1.
    public let failureRate: Double
    public let seed: UInt64
    public let ledger: InstallLedger?

    public init(latency: SimulatedLatency, failureRate: Double, seed: UInt64, ledger: InstallLedger? = nil) {
        self.latency = latency
        self.failureRate = min(1, max(0, failureRate))
        self.seed = seed
        self.ledger = ledger
    }

    /// What `attempt` will do: how long it takes and whether it fails.
    public func draw(_ attempt: DeployAttempt) -> (latency: Duration, fails: Bool) {
        var generator = SplitMix64(seed: seed ^ Self.identity(attempt))
        let u1 = generator.nextUnit(), u2 = generator.nextUnit(), u3 = generator.nextUnit()
        return (latency.sample(u1, u2), u3 < failureRate)
    }

    public func deploy(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        if let ledger, let done = await InstallLedger.alreadyInstalled(attempt, ledger) { return done }
        let (latency, fails) = draw(attempt)
        try await wait(latency)
        let outcome = Self.simulated("install.sh", latency, exit: fails ? 1 : 0)
        if fails { return .failure("simulated failure of \(attempt.target.ciKey)", [outcome]) }
        try ledger?.record(attempt)
        return .success([outcome])
    }

    public func backOut(_ attempt: DeployAttempt) async throws(DeployDriverError) -> DeployOutcome {
        let (latency, _) = draw(attempt)
        try await wait(latency)
        return .success([Self.simulated("backout.sh", latency, exit: 0)])
    }

    private func wait(_ latency: Duration) async throws(DeployDriverError) {
        guard latency > .zero else { return }
        do {
            try await Task.sleep(for: latency)
        } catch {
            throw .cancelled
        }
    }

    private static func simulated(_ script: String, _ latency: Duration, exit status: Int32) -> DeployOutcome.ScriptRun {
        .init(script: script, outcome: ProcessOutcome(ending: .exited(status), output: "simulated\n", droppedBytes: 0, duration: latency))
    }

    /// A stable 64-bit identity of the attempt (SHA-256, not `Hasher`, which is seeded per process).
    static func identity(_ attempt: DeployAttempt) -> UInt64 {
        // Not the rollout: rollouts of the same targets (with 1, 2 or 4 replicas) draw alike.
        let text = "\(attempt.taskKey)\u{0}\(attempt.attempt)"
        return SHA256.hash(data: Data(text.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seedable generator, good enough for drawing
/// simulated latencies and the same on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1) from the top 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
