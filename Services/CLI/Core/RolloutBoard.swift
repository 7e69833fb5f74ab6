import Contracts
import Foundation

/// A rollout's progress as `shipboard rollout status` and `release watch` draw it: a summary
/// line, a line per wave, and a bar per site with its counts, rate and ETA, e.g.
/// `dc1   [##########------]  25/40  62%  3 running  1.5/s  ETA 10s`. A site whose dispatched
/// targets no live worker serves says it is waiting, not failed. The input is the API's
/// `RolloutStatus` JSON (only the fields drawn are read).
public enum RolloutBoard {
    public struct Counts: Decodable, Sendable, Equatable {
        public var total, pending, running, succeeded, failed, backedOut, skipped, excluded: Int

        public init(total: Int, pending: Int, running: Int, succeeded: Int, failed: Int, backedOut: Int, skipped: Int, excluded: Int) {
            (self.total, self.pending, self.running, self.succeeded) = (total, pending, running, succeeded)
            (self.failed, self.backedOut, self.skipped, self.excluded) = (failed, backedOut, skipped, excluded)
        }
    }

    public struct Progress: Decodable, Sendable, Equatable {
        public var counts: Counts
        public var settled: Int
        public var percent: Int
        public var ratePerSecond: Double
        public var etaSeconds: Int?

        public init(counts: Counts, settled: Int, percent: Int, ratePerSecond: Double, etaSeconds: Int?) {
            self.counts = counts
            self.settled = settled
            self.percent = percent
            self.ratePerSecond = ratePerSecond
            self.etaSeconds = etaSeconds
        }
    }

    public struct Wave: Decodable, Sendable, Equatable {
        public var index: Int
        public var kind: String
        public var sites: [String]
        public var gateAfter: RolloutWaveGate
        public var openedAt: String?
        public var completedAt: String?
        public var progress: Progress
    }

    public struct Site: Decodable, Sendable, Equatable {
        public var site: String
        public var pool: String?
        public var liveWorkers: Int
        public var waiting: Int
        public var progress: Progress
    }

    public struct Status: Decodable, Sendable, Equatable {
        public var releaseKey: String
        public var state: String
        public var image: String
        public var currentWave: Int
        public var reason: String?
        public var progress: Progress
        public var waves: [Wave]
        public var sites: [Site]
    }

    /// The status from the API's JSON; nil when it is not a rollout status.
    public static func status(from json: Data) -> Status? {
        try? JSONDecoder().decode(Status.self, from: json)
    }

    /// Whether the rollout stopped moving by itself: finished (completed, backed out,
    /// aborted) or halted by its failure threshold, which waits for an operator.
    public static func hasEnded(_ status: Status) -> Bool {
        let state = RolloutState(rawValue: status.state)
        return state.isFinal || state == .halted
    }

    /// Everything `rollout status` prints.
    public static func render(_ status: Status, width: Int = TextTable.standardWidth) -> String {
        var lines = [summary(status), totals(status.progress)]
        if let reason = status.reason { lines.append("reason: \(reason)") }
        lines.append("")
        lines += TextTable(
            header: ["WAVE", "KIND", "SITES", "STATE", "DONE", "THEN"],
            rows: status.waves.map { wave in
                ["\(wave.index + 1)", wave.kind, wave.sites.joined(separator: ","), waveState(wave, current: status.currentWave),
                 "\(wave.progress.settled)/\(wave.progress.counts.total)", RolloutPlanSummary.gate(wave.gateAfter)]
            }, width: width).text.split(separator: "\n").map(String.init)
        lines.append("")
        lines += siteBars(status.sites, width: width)
        return lines.map { CellText.truncate(CellText.oneLine($0), to: width) }.joined(separator: "\n") + "\n"
    }

    /// `REL-000042 rollout running: payroll@4.2.0, wave 2 of 4`.
    public static func summary(_ status: Status) -> String {
        "\(status.releaseKey) rollout \(status.state): \(status.image), wave \(status.currentWave + 1) of \(status.waves.count)"
    }

    /// `34/40 settled (85%): 30 succeeded, 2 failed, 2 skipped; 1.5/s, ETA 4s`.
    public static func totals(_ progress: Progress) -> String {
        let c = progress.counts
        let parts = [(c.succeeded, "succeeded"), (c.failed, "failed"), (c.backedOut, "backed out"), (c.skipped, "skipped"),
                     (c.excluded, "excluded"), (c.running, "running"), (c.pending, "pending")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return "\(progress.settled)/\(c.total) settled (\(progress.percent)%)"
            + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")) + "; " + speed(progress)
    }

    /// One line per site: a bar of its settled targets, counts, and its rate and ETA, or why
    /// it waits.
    public static func siteBars(_ sites: [Site], width: Int = TextTable.standardWidth) -> [String] {
        let nameWidth = min(sites.map(\.site.count).max() ?? 0, 20)
        let countWidth = sites.map { "\($0.progress.settled)/\($0.progress.counts.total)".count }.max() ?? 0
        return sites.map { site in
            let p = site.progress
            let name = CellText.truncate(CellText.oneLine(site.site), to: nameWidth).padding(toLength: nameWidth)
            let count = "\(p.settled)/\(p.counts.total)"
            var line = "\(name)  \(ReleaseProgress.bar(done: p.settled, total: p.counts.total))  "
                + String(repeating: " ", count: countWidth - count.count) + count + "  \(p.percent)%"
            if p.counts.failed > 0 { line += "  \(p.counts.failed) failed" }
            // A site nobody serves says so instead of a rate: it waits, it has not failed.
            if site.waiting > 0 {
                line += "  \(site.waiting) waiting for a worker" + (site.pool.map { " of pool \($0)" } ?? "")
            } else {
                if p.counts.running > 0 { line += "  \(p.counts.running) running" }
                if p.settled < p.counts.total { line += "  " + speed(p) }
            }
            return CellText.truncate(line, to: width)
        }
    }

    /// `2345/s`, `1.5/s` or `3/min` (under one a second), then `, ETA 4s`; or `no progress in
    /// the last minute`.
    public static func speed(_ progress: Progress) -> String {
        let perSecond = progress.ratePerSecond
        guard perSecond > 0 else { return "no progress in the last minute" }
        let rate = switch perSecond {
        case 10...: "\(Int(perSecond.rounded()))/s"
        case 1...: String(format: "%.1f/s", perSecond)
        default: "\(Int((perSecond * 60).rounded()))/min"
        }
        return rate + (progress.etaSeconds.map { ", ETA \(duration($0))" } ?? "")
    }

    /// `45s`, `10m05s`, `2h03m`.
    public static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + String(format: "%02ds", seconds % 60) }
        return "\(seconds / 3600)h" + String(format: "%02dm", seconds % 3600 / 60)
    }

    /// `done`, `open`, `next` or `waiting` (not opened yet).
    static func waveState(_ wave: Wave, current: Int) -> String {
        if wave.completedAt != nil { return "done" }
        if wave.openedAt != nil { return "open" }
        return wave.index == current ? "next" : "waiting"
    }
}
