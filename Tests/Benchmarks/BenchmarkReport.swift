import Foundation

/// One measured figure beside its baseline from the same run.
struct BenchmarkRow {
    let name: String
    let value: Double
    let unit: String
    let baselineName: String
    let baseline: Double?
    let target: Double?
    /// True when the target is a ceiling (latency), false when it is a floor (throughput).
    var targetIsMaximum = false

    var ratio: Double? { baseline.flatMap { $0 > 0 ? value / $0 : nil } }

    var verdict: String {
        guard let target else { return "-" }
        let met = targetIsMaximum ? value <= target : value >= target
        return "\(targetIsMaximum ? "≤" : "≥") \(BenchmarkReport.format(target)) \(met ? "met" : "MISSED")"
    }
}

/// Prints rows as an aligned table (numbers only; the machine is noisy, so compare ratios).
enum BenchmarkReport {
    static func print(_ rows: [BenchmarkRow]) {
        Swift.print("")
        Swift.print(pad("benchmark", 46) + pad("result", 16) + pad("baseline (same run)", 44) + pad("ratio", 8) + "target")
        for row in rows {
            // A row without a baseline figure may still say something there (a range).
            let baseline = row.baseline.map { "\(row.baselineName): \(format($0))" } ?? (row.baselineName.isEmpty ? "-" : row.baselineName)
            let ratio = row.ratio.map { String(format: "%.2f", $0) } ?? "-"
            Swift.print(
                pad(row.name, 46) + pad("\(format(row.value)) \(row.unit)", 16) + pad(baseline, 44) + pad(ratio, 8)
                    + row.verdict)
        }
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: value >= 10 ? "%.1f" : "%.2f", value)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// Times `body` and returns operations per second.
func rate(operations: Int, _ body: () async throws -> Void) async rethrows -> Double {
    let started = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(operations) / seconds
}

/// The median wall time of `runs` calls after two warm-up calls, in milliseconds.
func medianMilliseconds(_ runs: Int, _ body: () async throws -> Void) async throws -> Double {
    let samples = try await sampledMilliseconds(runs, body)
    return samples[samples.count / 2]
}

/// The wall times of `runs` calls after two warm-up calls, sorted, in milliseconds.
func sampledMilliseconds(_ runs: Int, _ body: () async throws -> Void) async throws -> [Double] {
    try await body()
    try await body()
    var samples: [Double] = []
    for _ in 0..<runs {
        let started = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - started
        samples.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    samples.sort()
    return samples
}

func environment(_ name: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw BenchmarkError("\(name) is not set: run `bash Infra/scripts/bench.sh`")
    }
    return value
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
