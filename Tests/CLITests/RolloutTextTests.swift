import CLICore
import Contracts
import Foundation
import Testing

/// `shipboard rollout`'s pure parts: the definition's flag shapes, the plan as printed, and
/// the status board (a line per wave, a bar per site with rate and ETA, waiting sites).
@Suite("Rollout CLI text")
struct RolloutTextTests {
    @Test("flag shapes: tags, relations, thresholds, gates, scopes and lists; anything else is nil")
    func flags() {
        #expect(RolloutDefinitionArguments.tag("env=prod")! == ("env", "prod"))
        #expect(RolloutDefinitionArguments.tag("note=a=b")! == ("note", "a=b"))
        #expect(RolloutDefinitionArguments.tag("=prod") == nil && RolloutDefinitionArguments.tag("env") == nil)
        #expect(RolloutDefinitionArguments.related("runs_on:incoming:CI-SRV-0001, CI-SRV-0002")
            == RolloutRelationSelection(kind: .runsOn, direction: .incoming, anchors: ["CI-SRV-0001", "CI-SRV-0002"]))
        for bad in ["runs_on:sideways:CI-SRV-0001", "explodes:incoming:CI-SRV-0001", "runs_on:incoming:", "runs_on"] {
            #expect(RolloutDefinitionArguments.related(bad) == nil, "\(bad)")
        }
        #expect(RolloutDefinitionArguments.threshold("2") == .count(2))
        #expect(RolloutDefinitionArguments.threshold("10%") == .percent(10))
        #expect(RolloutDefinitionArguments.threshold("ten") == nil && RolloutDefinitionArguments.threshold("%") == nil)
        #expect(RolloutDefinitionArguments.gate("none") == .immediate && RolloutDefinitionArguments.gate("approval") == .approval)
        #expect(RolloutDefinitionArguments.gate("pause:300") == .pause(seconds: 300))
        #expect(RolloutDefinitionArguments.gate("soak:600") == .soak(seconds: 600))
        for bad in ["pause", "soak:ten", "approval:5", "wait:3"] {
            #expect(RolloutDefinitionArguments.gate(bad) == nil, "\(bad)")
        }
        #expect(RolloutDefinitionArguments.backoutScope("all") == .all)
        #expect(RolloutDefinitionArguments.backoutScope("current_wave") == .currentWave)
        #expect(RolloutDefinitionArguments.backoutScope("everything") == nil)
        #expect(RolloutDefinitionArguments.list(" dc1, ,dc2,") == ["dc1", "dc2"])
    }

    @Test("flags given replace the file's fields; those not given keep them")
    func definitionFromFileAndFlags() {
        let file = RolloutDefinition(
            sources: ["CI-APP-0001"], targets: RolloutTargetSelection(sites: ["dc9"], classes: [.server]), canary: 2, window: 3)
        var flags = RolloutDefinitionFlags()
        flags.sites = ["dc1", "dc2"]
        flags.tags = [("env", "prod")]
        flags.threshold = .percent(10)
        flags.betweenWaves = .soak(seconds: 600)
        let merged = RolloutDefinitionArguments.definition(base: file, flags: flags)
        #expect(merged.sources == ["CI-APP-0001"] && merged.canary == 2 && merged.window == 3)
        #expect(merged.targets.sites == ["dc1", "dc2"] && merged.targets.classes == [.server] && merged.targets.tags == ["env": "prod"])
        #expect(merged.failureThreshold == .percent(10) && merged.betweenWaves == .soak(seconds: 600) && merged.backoutScope == nil)
        let bare = RolloutDefinitionArguments.definition(base: nil, flags: RolloutDefinitionFlags())
        #expect(bare == RolloutDefinition(targets: RolloutTargetSelection()))
    }

    @Test("a plan prints its waves, then each wave's rollouts in order, and the totals")
    func plan() {
        let sites = ["dc1", "dc2", "dc3"]
        let waves = [PlannedWave(index: 0, kind: .canary, sites: sites, gateAfter: .approval)]
            + sites.enumerated().map { PlannedWave(index: $0 + 1, kind: .site, sites: [$1], gateAfter: $0 == 2 ? .immediate : .pause(seconds: 300)) }
        var rollouts: [PlannedRollout] = []
        for target in 1...20 {
            let wave = target <= 2 ? 0 : 1 + target % 3
            for source in ["CI-APP-0001", "CI-APP-0002"] {
                rollouts.append(PlannedRollout(
                    taskKey: "rollout-\(source)-ci-srv-\(target)".lowercased(), source: source, target: "CI-SRV-\(target)",
                    site: sites[target % 3], wave: wave, batch: 0, position: rollouts.count))
            }
        }
        let plan = RolloutPlan(
            sources: ["CI-APP-0001", "CI-APP-0002"], window: 5, failureThreshold: .count(2), haltAfterFailures: 2,
            backoutScope: .currentWave, waves: waves, rollouts: rollouts.sorted { $0.wave < $1.wave })
        let text = RolloutPlanSummary.render(RolloutPlanned(releaseKey: "REL-000042", dryRun: true, plan: plan))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "Rollout plan of REL-000042 (dry run: nothing stored)")
        #expect(lines.last == "40 rollouts in 4 waves")
        #expect(lines.contains { $0.hasPrefix("1     canary  dc1,dc2,dc3  4         approval") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("2     site    dc1") && $0.hasSuffix("pause 300s") }, "\(text)")
        let canary = try! #require(lines.firstIndex(of: "Wave 1 (canary: dc1, dc2, dc3)"))
        #expect(lines[canary + 1] == "  rollout-ci-app-0001-ci-srv-1  CI-APP-0001 → CI-SRV-1  dc2  batch 1")
        #expect(lines.filter { $0.hasPrefix("  rollout-") }.count == 40)
        #expect(RolloutPlanSummary.plural(1, "wave") == "1 wave")
    }

    static let statusJSON = """
        {"id": "r1", "releaseKey": "REL-000042", "state": "running", "image": "payroll@4.2.0", "currentWave": 1, "window": 5,
         "haltAfterFailures": 2, "plannedBy": "rita", "plannedAt": "2026-11-30T10:00:00Z", "extra": "ignored",
         "progress": {"counts": {"total": 9, "pending": 2, "running": 3, "succeeded": 3, "failed": 1, "backedOut": 0, "skipped": 0, "excluded": 0},
                      "settled": 4, "percent": 44, "settledLastMinute": 3, "ratePerSecond": 0.05, "etaSeconds": 100},
         "waves": [
           {"index": 0, "kind": "canary", "sites": ["dc1", "dc2"], "gateAfter": {"kind": "approval"}, "openedAt": "2026-11-30T10:01:00Z",
            "completedAt": "2026-11-30T10:02:00Z",
            "progress": {"counts": {"total": 2, "pending": 0, "running": 0, "succeeded": 2, "failed": 0, "backedOut": 0, "skipped": 0, "excluded": 0},
                         "settled": 2, "percent": 100, "settledLastMinute": 1, "ratePerSecond": 0.016}},
           {"index": 1, "kind": "site", "sites": ["dc1"], "gateAfter": {"kind": "pause", "seconds": 300}, "openedAt": "2026-11-30T10:03:00Z",
            "progress": {"counts": {"total": 4, "pending": 1, "running": 1, "succeeded": 1, "failed": 1, "backedOut": 0, "skipped": 0, "excluded": 0},
                         "settled": 2, "percent": 50, "settledLastMinute": 2, "ratePerSecond": 0.033, "etaSeconds": 60}},
           {"index": 2, "kind": "site", "sites": ["dc2"], "gateAfter": {"kind": "none"},
            "progress": {"counts": {"total": 3, "pending": 1, "running": 2, "succeeded": 0, "failed": 0, "backedOut": 0, "skipped": 0, "excluded": 0},
                         "settled": 0, "percent": 0, "settledLastMinute": 0, "ratePerSecond": 0}}],
         "sites": [
           {"site": "dc1", "pool": "west", "liveWorkers": 1, "waiting": 0,
            "progress": {"counts": {"total": 5, "pending": 1, "running": 1, "succeeded": 2, "failed": 1, "backedOut": 0, "skipped": 0, "excluded": 0},
                         "settled": 3, "percent": 60, "settledLastMinute": 3, "ratePerSecond": 0.05, "etaSeconds": 40}},
           {"site": "dc2", "pool": "east", "liveWorkers": 0, "waiting": 2,
            "progress": {"counts": {"total": 4, "pending": 1, "running": 2, "succeeded": 1, "failed": 0, "backedOut": 0, "skipped": 0, "excluded": 0},
                         "settled": 1, "percent": 25, "settledLastMinute": 0, "ratePerSecond": 0}}]}
        """

    @Test("status: a summary, a line per wave, a bar per site with counts, rate and ETA; a site without a live worker waits")
    func status() throws {
        let status = try #require(RolloutBoard.status(from: Data(Self.statusJSON.utf8)))
        let text = RolloutBoard.render(status)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "REL-000042 rollout running: payroll@4.2.0, wave 2 of 3")
        #expect(lines[1] == "4/9 settled (44%): 3 succeeded, 1 failed, 3 running, 2 pending; 3/min, ETA 1m40s")
        #expect(lines.contains("1     canary  dc1,dc2  done     2/2   approval"), "\(text)")
        #expect(lines.contains("2     site    dc1      open     2/4   pause 300s"), "\(text)")
        #expect(lines.contains("3     site    dc2      waiting  0/3   -"), "\(text)")
        #expect(lines.contains("dc1  [#########-------]  3/5  60%  1 failed  1 running  3/min, ETA 40s"), "\(text)")
        #expect(lines.contains("dc2  [####------------]  1/4  25%  2 waiting for a worker of pool east"), "\(text)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(RolloutBoard.status(from: Data("{\"state\": 1}".utf8)) == nil)
    }

    @Test("watch --until-rollout-ends stops at completed, backed out, aborted or halted, not while it runs, pauses or backs out")
    func rolloutEnd() throws {
        var status = try #require(RolloutBoard.status(from: Data(Self.statusJSON.utf8)))
        let ended = ["completed", "backed_out", "aborted", "halted"]
        for state in ended + ["planned", "running", "paused", "backing_out", "someday"] {
            status.state = state
            #expect(RolloutBoard.hasEnded(status) == ended.contains(state), "\(state)")
        }
    }

    @Test("rates and durations read at a glance")
    func speed() {
        #expect(RolloutBoard.duration(45) == "45s" && RolloutBoard.duration(605) == "10m05s" && RolloutBoard.duration(7380) == "2h03m")
        let counts = RolloutBoard.Counts(total: 10, pending: 5, running: 0, succeeded: 5, failed: 0, backedOut: 0, skipped: 0, excluded: 0)
        let fast = RolloutBoard.Progress(counts: counts, settled: 5, percent: 50, ratePerSecond: 2_345.4, etaSeconds: 1)
        #expect(RolloutBoard.speed(fast) == "2345/s, ETA 1s")
        let still = RolloutBoard.Progress(counts: counts, settled: 5, percent: 50, ratePerSecond: 0, etaSeconds: nil)
        #expect(RolloutBoard.speed(still) == "no progress in the last minute")
        let slow = RolloutBoard.Progress(counts: counts, settled: 5, percent: 50, ratePerSecond: 1.25, etaSeconds: 4)
        #expect(RolloutBoard.speed(slow) == "1.2/s, ETA 4s" || RolloutBoard.speed(slow) == "1.3/s, ETA 4s")
    }
}

@Suite("Rollout watch frame")
struct RolloutWatchFrameTests {
    @Test("on a terminal a block goes back up over the lines drawn last and clears below; piped, each block is new lines")
    func frames() {
        var terminal = RolloutWatchFrame(redraw: StatusLineRedraw(isTerminal: true, columns: 20))
        #expect(terminal.frame(["REL-000042 deploy"]) == "\r\u{1B}[J" + "REL-000042 deploy")
        #expect(terminal.frame(["status", "dc1 [##--]", "dc2 [----]"]) == "\r\u{1B}[J" + "status\ndc1 [##--]\ndc2 [----]")
        #expect(terminal.frame(["status", String(repeating: "x", count: 40)]) == "\u{1B}[2A\r\u{1B}[J" + "status\n" + String(repeating: "x", count: 18) + "…")
        #expect(terminal.drawnLines == 2 && terminal.finish == "\n")
        var piped = RolloutWatchFrame(redraw: StatusLineRedraw(isTerminal: false))
        #expect(piped.frame(["status", "dc1 [##--]"]) == "status\ndc1 [##--]\n" && piped.finish.isEmpty)
    }

    @Test("under the status line: the rollout's totals, then a bar per site")
    func watchLines() throws {
        let status = try #require(RolloutBoard.status(from: Data(RolloutTextTests.statusJSON.utf8)))
        let lines = RolloutBoard.watchLines(status, width: 79)
        #expect(lines.count == 3 && lines[0].hasPrefix("rollout running (payroll@4.2.0): 4/9 settled (44%)"))
        #expect(lines[1].hasPrefix("dc1  [#########-------]") && lines[2].hasSuffix("waiting for a worker of pool east"))
    }
}

@Suite("Rollout target text")
struct RolloutTargetTextTests {
    @Test("a target, where it stands, then each attempt with its log indented; terminal escapes in a log are not passed on")
    func target() throws {
        let json = """
            {"target": {"taskKey": "rollout-ci-app-0001-ci-srv-0004", "source": "CI-APP-0001", "target": "CI-SRV-0004", "site": "dc1",
                        "wave": 1, "batch": 0, "position": 1, "dependsOn": [], "state": "failed", "action": "deploy", "attempts": 2,
                        "pool": "west", "detail": "verify.sh exited 1", "waitingForWorker": false},
             "attempts": [
               {"action": "deploy", "attempt": 2, "replica": "west-1", "outcome": "failed", "startedAt": "2026-11-30T10:00:00Z",
                "durationMs": 30000, "detail": "verify.sh exited 1", "log": "second try\\n\\u001b[31mexit 1\\n"},
               {"action": "deploy", "attempt": 1, "replica": "west-1", "outcome": "error", "startedAt": "2026-11-30T09:00:00Z", "log": ""}]}
            """
        let detail = try #require(RolloutTargetText.detail(from: Data(json.utf8)))
        #expect(RolloutTargetText.render(detail) == """
            rollout-ci-app-0001-ci-srv-0004: CI-APP-0001 → CI-SRV-0004 at dc1, wave 2 (batch 1)
            state failed (deploy), 2 attempts; pool west
            verify.sh exited 1
            attempt 2 deploy on west-1: failed in 30.0s: verify.sh exited 1
              | second try
              | ?[31mexit 1
            attempt 1 deploy on west-1: error

            """)
        #expect(RolloutTargetText.safe("a\u{7}b\tc\u{0}") == "a?b\tc?")
    }
}
