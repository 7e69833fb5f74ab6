import Foundation
import RolloutCore
import Testing

/// The `simulated` deploy driver: latency distributions and failures drawn from a seed,
/// the same whatever the order of the attempts.
@Suite("Deploy driver: simulated")
struct DriverSimulatedTests {
    static func attempt(_ index: Int, attempt: Int = 1) -> DeployAttempt {
        DeployAttempt(
            image: DeployImage(archive: "/nonexistent", sha256: String(repeating: "a", count: 64), name: "payroll", version: "1", releaseKey: "REL-000001"),
            target: DeployTarget(ciKey: "CI-SRV-\(String(format: "%04d", index))", site: "FRA1"),
            rolloutID: "load-test", taskKey: "task-\(index)", attempt: attempt)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func draws(_ driver: SimulatedDriver, count: Int = 20_000) -> [(latency: Duration, fails: Bool)] {
        (0..<count).map { driver.draw(attempt($0)) }
    }

    @Test("the same seed gives the same latencies and failures in any order; another seed or a retry draws afresh")
    func deterministic() {
        let driver = SimulatedDriver(latency: .lognormal(median: .milliseconds(200), p99: .seconds(2)), failureRate: 0.3, seed: 42)
        let forward = (0..<500).map { driver.draw(Self.attempt($0)).latency }
        let backward = (0..<500).reversed().map { driver.draw(Self.attempt($0)).latency }.reversed()
        #expect(forward == Array(backward))
        let other = SimulatedDriver(latency: driver.latency, failureRate: 0.3, seed: 43)
        #expect(forward != (0..<500).map { other.draw(Self.attempt($0)).latency })
        #expect(driver.draw(Self.attempt(1, attempt: 2)).latency != driver.draw(Self.attempt(1)).latency)
    }

    @Test("fixed and uniform latencies stay in their bounds; a uniform mean sits in the middle")
    func fixedAndUniform() {
        let fixed = Self.draws(SimulatedDriver(latency: .fixed(.milliseconds(250)), failureRate: 0, seed: 1), count: 100)
        #expect(fixed.allSatisfy { $0.latency == .milliseconds(250) && !$0.fails })
        let uniform = Self.draws(SimulatedDriver(latency: .uniform(.milliseconds(100), .milliseconds(300)), failureRate: 0, seed: 7))
            .map { Self.seconds($0.latency) }
        #expect(uniform.allSatisfy { (0.1...0.3).contains($0) })
        let mean = uniform.reduce(0, +) / Double(uniform.count)
        #expect(abs(mean - 0.2) < 0.005)
    }

    @Test("a lognormal latency has the configured median and 99th percentile")
    func lognormal() {
        let sorted = Self.draws(SimulatedDriver(latency: .lognormal(median: .milliseconds(200), p99: .seconds(2)), failureRate: 0, seed: 9))
            .map { Self.seconds($0.latency) }.sorted()
        let median = sorted[sorted.count / 2], p99 = sorted[sorted.count * 99 / 100]
        #expect(abs(median - 0.2) / 0.2 < 0.05, "median \(median)")
        #expect(abs(p99 - 2) / 2 < 0.15, "p99 \(p99)")
        #expect(sorted.allSatisfy { $0 > 0 })
    }

    @Test("the failure rate is the share of deploys that fail; each deploy's outcome is its draw's")
    func failureRate() async throws {
        let driver = SimulatedDriver(latency: .fixed(.zero), failureRate: 0.2, seed: 5)
        let share = Double(Self.draws(driver).filter(\.fails).count) / 20_000
        #expect(abs(share - 0.2) < 0.015)
        for index in 0..<50 {
            let outcome = try await driver.deploy(Self.attempt(index))
            #expect(outcome.succeeded == !driver.draw(Self.attempt(index)).fails)
            #expect(outcome.succeeded || outcome.failureReason == "simulated failure of \(Self.attempt(index).target.ciKey)")
            #expect(try await driver.backOut(Self.attempt(index)).succeeded)
        }
    }

    @Test("settings spell a latency as fixed, uniform or lognormal; anything else is refused")
    func parsing() {
        #expect(SimulatedLatency("0") == .fixed(.zero))
        #expect(SimulatedLatency("fixed:200ms") == .fixed(.milliseconds(200)))
        #expect(SimulatedLatency("uniform:50ms:2s") == .uniform(.milliseconds(50), .seconds(2)))
        #expect(SimulatedLatency("lognormal:200ms:2s") == .lognormal(median: .milliseconds(200), p99: .seconds(2)))
        for bad in ["", "fixed", "fixed:-1ms", "fixed:1h", "uniform:2s:1s", "lognormal:0ms:1s", "lognormal:2s:1s", "fixed:200ms:1s",
                    "fixed:7200s", "normal:1s", "fixed:1.5s", String(repeating: "9", count: 300)] {
            #expect(SimulatedLatency(bad) == nil, "\(bad)")
        }
    }
}
