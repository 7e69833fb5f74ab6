import Contracts

/// A plan as text for `--dry-run`: a summary, a table of waves (wave, kind, sites, targets,
/// rollouts, batches, and the gate that follows), then each wave's batches with their targets.
/// Every value shown is a CI key, a site planning stored (no control characters) or a number.
public enum RolloutPlanText {
    /// One line: `Rollout plan: 2 source(s) × 20 target(s) = 40 rollout(s) in 4 wave(s)`.
    public static func summary(_ plan: RolloutPlan) -> String {
        let targetCount = Set(plan.rollouts.map(\.target)).count
        return "Rollout plan: \(plan.sources.count) source(s) × \(targetCount) target(s) = \(plan.rollouts.count) rollout(s) in \(plan.waves.count) wave(s)"
    }

    public static func render(_ plan: RolloutPlan) -> String {
        var lines = [
            summary(plan),
            "Sources: \(plan.sources.joined(separator: ", "))",
            "Window: \(plan.window) deploy job(s) at once per wave. \(threshold(plan)). On halt, back out \(scope(plan.backoutScope)).",
            "",
        ]
        let byWave = Dictionary(grouping: plan.rollouts, by: \.wave)
        var rows = [["WAVE", "KIND", "SITES", "TARGETS", "ROLLOUTS", "BATCHES", "THEN"]]
        for wave in plan.waves {
            let rollouts = byWave[wave.index] ?? []
            rows.append([
                "\(wave.index + 1)", wave.kind.rawValue, wave.sites.joined(separator: ", "), "\(Set(rollouts.map(\.target)).count)",
                "\(rollouts.count)", "\(Set(rollouts.map(\.batch)).count)", gate(wave.gateAfter),
            ])
        }
        lines += table(rows)
        for wave in plan.waves {
            lines.append("")
            lines.append("Wave \(wave.index + 1) (\(wave.kind.rawValue): \(wave.sites.joined(separator: ", ")))")
            let batches = Dictionary(grouping: byWave[wave.index] ?? [], by: \.batch).sorted { $0.key < $1.key }
            for (batch, rollouts) in batches {
                var seen: Set<String> = []
                let targets = rollouts.filter { seen.insert($0.target).inserted }.map { "\($0.target) (\($0.site))" }
                lines.append("  batch \(batch + 1): \(targets.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func threshold(_ plan: RolloutPlan) -> String {
        let count = "Halt after \(plan.haltAfterFailures) failed rollout(s)"
        switch plan.failureThreshold.kind {
        case .percent: return "\(count) (\(plan.failureThreshold.value)% of \(plan.rollouts.count), rounded up)"
        default: return count
        }
    }

    static func scope(_ scope: RolloutBackoutScope) -> String {
        switch scope {
        case .all: "every succeeded target"
        default: "the current wave's succeeded targets"
        }
    }

    /// What follows a wave, e.g. `approval`, `pause 10m`, `soak 1h30m`, or `-`.
    static func gate(_ gate: RolloutWaveGate) -> String {
        switch gate.kind {
        case .none: "-"
        case .approval: "approval"
        default: "\(gate.kind.rawValue) \(duration(gate.seconds ?? 0))"
        }
    }

    /// `2d3h`, `1h30m`, `10m`, `45s`: the largest units, zero parts left out.
    static func duration(_ seconds: Int) -> String {
        let parts = [(seconds / 86_400, "d"), (seconds % 86_400 / 3_600, "h"), (seconds % 3_600 / 60, "m"), (seconds % 60, "s")]
        let shown = parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
        return shown.isEmpty ? "0s" : shown
    }

    /// Rows as left-aligned columns two spaces apart, without trailing spaces.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            let padded = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return padded.joined(separator: "  ")
        }
    }
}
