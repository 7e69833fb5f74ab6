import Contracts
import RolloutCore
import Testing

/// The `--dry-run` text: a summary, a table of waves with their gates, each wave's batches.
@Suite("Rollout plan: dry-run text")
struct RolloutPlanTextTests {
    typealias F = RolloutPlanFixtures

    @Test("a small plan reads as its summary, its wave table and its batches")
    func smallPlan() throws {
        let plan = try F.plan(F.definition(
            sources: ["CI-APP-0001"], targets: .init(keys: [F.server(1), F.server(2), F.server(8)]), canary: 1,
            siteOrder: ["FRA1", "AMS1"], window: 2, threshold: .percent(50), gate: .approval))
        #expect(RolloutPlanText.render(plan) == """
            Rollout plan: 1 source(s) × 3 target(s) = 3 rollout(s) in 3 wave(s)
            Sources: CI-APP-0001
            Window: 2 deploy job(s) at once per wave. Halt after 2 failed rollout(s) (50% of 3, rounded up). \
            On halt, back out the current wave's succeeded targets.

            WAVE  KIND    SITES  TARGETS  ROLLOUTS  BATCHES  THEN
            1     canary  FRA1   1        1         1        approval
            2     site    FRA1   1        1         1        approval
            3     site    AMS1   1        1         1        -

            Wave 1 (canary: FRA1)
              batch 1: CI-SRV-1001 (FRA1)

            Wave 2 (site: FRA1)
              batch 1: CI-SRV-1002 (FRA1)

            Wave 3 (site: AMS1)
              batch 1: CI-SRV-1008 (AMS1)

            """)
    }

    @Test("the seed with a canary and a soak time: one row per wave, the gate after each but the last")
    func seedTable() throws {
        let text = RolloutPlanText.render(try F.plan(F.definition(canary: 3, window: 4, gate: .soak(seconds: 5_400))))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Rollout plan: 2 source(s) × 20 target(s) = 40 rollout(s) in 4 wave(s)")
        #expect(lines[5] == "1     canary  FRA1, AMS1, LON1  3        6         2        soak 1h30m")
        #expect(lines[6] == "2     site    FRA1              6        12        3        soak 1h30m")
        #expect(lines[8] == "4     site    LON1              5        10        3        -")
        #expect(text.contains("  batch 1: CI-SRV-1002 (FRA1), CI-SRV-1003 (FRA1)\n"))
    }

    @Test("durations show their largest units", arguments: [
        (45, "45s"), (600, "10m"), (5_400, "1h30m"), (90_061, "1d1h1m1s"), (RolloutWaveGate.maxSeconds, "7d"),
    ])
    func durations(seconds: Int, shown: String) {
        #expect(RolloutPlanText.render(
            RolloutPlan(sources: [], window: 1, failureThreshold: .count(1), haltAfterFailures: 1, backoutScope: .all,
                        waves: [.init(index: 0, kind: .site, sites: ["FRA1"], gateAfter: .pause(seconds: seconds))], rollouts: []))
            .contains("pause \(shown)\n"))
    }
}
