import Foundation

/// One measured figure beside its baseline from the same run.
struct BenchmarkRow {
    let name: String
    let value: Double
    let unit: String
    let baselineName: String
    let baseline: Double
    let target: Double?

    var ratio: Double { baseline > 0 ? value / baseline : 0 }
}

/// Prints rows as an aligned table (numbers only; the machine is noisy, so compare ratios).
enum BenchmarkReport {
    static func print(_ rows: [BenchmarkRow]) {
        Swift.print("")
        Swift.print(pad("benchmark", 46) + pad("result", 16) + pad("baseline (same run)", 44) + pad("ratio", 8) + "target")
        for row in rows {
            let target = row.target.map { row.value >= $0 ? "≥ \(format($0)) met" : "≥ \(format($0)) MISSED" } ?? "-"
            Swift.print(
                pad(row.name, 46) + pad("\(format(row.value)) \(row.unit)", 16)
                    + pad("\(row.baselineName): \(format(row.baseline))", 44)
                    + pad(String(format: "%.2f", row.ratio), 8) + target)
        }
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
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
