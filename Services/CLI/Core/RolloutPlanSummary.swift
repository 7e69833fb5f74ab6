import Contracts

/// A rollout plan as `shipboard rollout plan` prints it: the settings, a line per wave, then
/// the rollouts of each wave in deploy order, and the totals (`40 rollouts in 4 waves`).
/// Every value shown came from the server as a CI key, site, task key or number; each line
/// of rollouts is still made one line (``CellText/oneLine(_:)``), the table does its own.
public enum RolloutPlanSummary {
    public static func render(_ planned: RolloutPlanned) -> String {
        let plan = planned.plan
        var lines = [
            "Rollout plan of \(planned.releaseKey)" + (planned.dryRun ? " (dry run: nothing stored)" : ""),
            "Sources: \(plan.sources.joined(separator: ", ")); window \(plan.window); "
                + "halt after \(plan.haltAfterFailures) failed; on halt back out \(scope(plan.backoutScope))",
            "",
        ]
        let byWave = Dictionary(grouping: plan.rollouts, by: \.wave)
        let waves = TextTable(
            header: ["WAVE", "KIND", "SITES", "ROLLOUTS", "THEN"],
            rows: plan.waves.map { wave in
                ["\(wave.index + 1)", wave.kind.rawValue, wave.sites.joined(separator: ","), "\(byWave[wave.index]?.count ?? 0)",
                 gate(wave.gateAfter)]
            })
        lines.append(String(waves.text.dropLast()))
        for wave in plan.waves {
            lines.append("Wave \(wave.index + 1) (\(wave.kind.rawValue): \(wave.sites.joined(separator: ", ")))")
            for rollout in byWave[wave.index] ?? [] {
                lines.append(CellText.oneLine(
                    "  \(rollout.taskKey)  \(rollout.source) → \(rollout.target)  \(rollout.site)  batch \(rollout.batch + 1)"))
            }
        }
        lines.append("\(plural(plan.rollouts.count, "rollout")) in \(plural(plan.waves.count, "wave"))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// What follows a wave: `-`, `approval`, `pause 300s`, `soak 600s`.
    public static func gate(_ gate: RolloutWaveGate) -> String {
        switch gate.kind {
        case .none: "-"
        case .approval: "approval"
        default: "\(gate.kind.rawValue) \(gate.seconds ?? 0)s"
        }
    }

    static func scope(_ scope: RolloutBackoutScope) -> String {
        scope == .all ? "every succeeded target" : "the current wave"
    }

    /// `1 rollout`, `40 rollouts`.
    public static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
