import Contracts

/// What `planning.configure_exit_criterion` asks for, checked: the phase, the criterion and its
/// severity (nil for `off`). The command's words are validated here, once; the handler only
/// stores the result.
///
/// Refusals (validation): `exit_criteria.known` for a phase or criterion this version does not
/// know (a phase a newer sender added is refused, never treated as another), and
/// `exit_criteria.severity` for a severity other than `warning`, `error` or `off`.
struct ExitCriterionSetting: Equatable {
    let phase: ReleasePhase
    let criterion: ExitCriterion
    /// nil switches the criterion off for the phase.
    let severity: ExitCriterionSeverity?

    init(_ command: ConfigureExitCriterion) throws(CommandError) {
        if let problem = command.phase.knownValueProblem {
            throw CommandError(.validation, "unknown release phase", rule: "exit_criteria.known", fields: ["phase": problem])
        }
        guard let criterion = ExitCriterion(rawValue: command.criterion) else {
            throw CommandError(
                .validation, "unknown exit criterion; known: \(ExitCriterion.allCases.map(\.rawValue).joined(separator: ", "))",
                rule: "exit_criteria.known", fields: ["criterion": "unknown"])
        }
        switch command.severity {
        case "off":
            severity = nil
        default:
            guard let known = ExitCriterionSeverity(rawValue: command.severity) else {
                throw CommandError(
                    .validation, "severity must be warning, error or off", rule: "exit_criteria.severity",
                    fields: ["severity": "must be warning, error or off"])
            }
            severity = known
        }
        self.phase = command.phase
        self.criterion = criterion
    }
}
