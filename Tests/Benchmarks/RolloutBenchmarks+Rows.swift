import Foundation

extension RolloutBenchmarks {
    /// The table rows: the rate per replica count at each latency beside `pgbench -N`, the
    /// steady rates beside the raw AMQP consume rate, the 4 ÷ 1 scaling ratios, and the
    /// replicas' peak resident set beside their resident set when the rollout started.
    static func rows(
        _ measured: [Measured], targets: Int, slowTargets: Int, pgbench: Double?, rawTransport: Double?
    ) -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        for (latency, count, target) in [(0, targets, 2_000.0), (200, slowTargets, nil)] {
            let runs = measured.filter { $0.latencyMilliseconds == latency }
            let size = count % 1_000 == 0 ? "\(count / 1_000)k" : "\(count)"
            for run in runs {
                rows.append(BenchmarkRow(
                    name: "rollout \(size), \(latency) ms, \(run.replicas)×c\(concurrency(latency: latency))", value: run.perSecond, unit: "targets/s",
                    baselineName: "pgbench -N -c4 (tps)", baseline: pgbench, target: nil))
                rows.append(BenchmarkRow(
                    name: "  steady 10–90%, \(latency) ms, \(run.replicas)×c\(concurrency(latency: latency))", value: run.steadyPerSecond, unit: "targets/s",
                    baselineName: "raw AMQP consume+ack", baseline: rawTransport, target: nil))
            }
            if let best = runs.max(by: { $0.perSecond < $1.perSecond }), let target {
                rows.append(BenchmarkRow(
                    name: "rollout \(size), \(latency) ms, best (\(best.replicas) replica(s))", value: best.perSecond, unit: "targets/s",
                    baselineName: "pgbench -N -c4 (tps)", baseline: pgbench, target: target))
            }
            let rate = { (replicas: Int) in runs.first { $0.replicas == replicas }?.perSecond }
            if let one = rate(1), let four = rate(4) {
                let two = rate(2).map { String(format: "2 ÷ 1: %.2f×", $0 / one) } ?? ""
                rows.append(BenchmarkRow(
                    name: "rollout \(latency) ms, 4 ÷ 1 replicas", value: four / one, unit: "×", baselineName: two, baseline: nil,
                    target: latency == 200 ? 3.5 : nil))
            }
        }
        let memories = measured.flatMap(\.memory)
        if let peak = memories.max(by: { $0.peakKiB < $1.peakKiB }) {
            rows.append(BenchmarkRow(
                name: "rollout replica peak RSS (of \(memories.count))", value: Double(peak.peakKiB) / 1024, unit: "MiB",
                baselineName: "its RSS at start (MiB)", baseline: Double(peak.startKiB) / 1024, target: nil))
        }
        return rows
    }
}
