import Contracts

/// Impact × urgency → priority. Configurable; every one of the nine cells must be set.
public struct PriorityMatrix: Sendable, Equatable {
    /// The cells, complete by construction.
    public let cells: [Impact: [Urgency: Priority]]

    /// The common ITIL matrix: high/high is critical, low/low is planning, one step per level.
    public static let standard = PriorityMatrix(checked: [
        .high: [.high: .critical, .medium: .high, .low: .moderate],
        .medium: [.high: .high, .medium: .moderate, .low: .low],
        .low: [.high: .moderate, .medium: .low, .low: .planning],
    ])

    /// A matrix from typed cells; throws `priority.matrix_incomplete` (validation) naming
    /// every missing cell as `impact/urgency`.
    public init(cells: [Impact: [Urgency: Priority]]) throws(CommandError) {
        var missing: [String: String] = [:]
        for impact in Impact.allCases {
            for urgency in Urgency.allCases where cells[impact]?[urgency] == nil {
                missing["\(impact.rawValue)/\(urgency.rawValue)"] = "missing"
            }
        }
        guard missing.isEmpty else {
            let names = missing.keys.sorted().joined(separator: ", ")
            throw CommandError(
                .validation, "the priority matrix has no value for \(names)",
                rule: "priority.matrix_incomplete", fields: missing)
        }
        self.cells = cells
    }

    /// A matrix from configuration text, `impact → urgency → priority` by wire names,
    /// e.g. `["high": ["high": "critical", …], …]`. Unknown names and missing cells are
    /// validation errors (`priority.matrix_invalid`, `priority.matrix_incomplete`).
    public init(configuration: [String: [String: String]]) throws(CommandError) {
        var cells: [Impact: [Urgency: Priority]] = [:]
        var invalid: [String: String] = [:]
        for (impactName, row) in configuration {
            guard let impact = Impact(knownRawValue: impactName) else {
                invalid[impactName] = "unknown impact"
                continue
            }
            for (urgencyName, priorityName) in row {
                let cell = "\(impactName)/\(urgencyName)"
                guard let urgency = Urgency(knownRawValue: urgencyName) else {
                    invalid[cell] = "unknown urgency"
                    continue
                }
                guard let priority = Priority(knownRawValue: priorityName) else {
                    invalid[cell] = "unknown priority '\(priorityName)'"
                    continue
                }
                cells[impact, default: [:]][urgency] = priority
            }
        }
        guard invalid.isEmpty else {
            throw CommandError(
                .validation, "the priority matrix names unknown values", rule: "priority.matrix_invalid", fields: invalid)
        }
        try self.init(cells: cells)
    }

    private init(checked cells: [Impact: [Urgency: Priority]]) {
        self.cells = cells
    }

    /// The priority of a release with this impact and urgency. The matrix is complete for the
    /// known values; an impact or urgency this version does not know has no priority and is
    /// refused (`priority.unknown_value`, validation, naming the field), never given a default.
    public func priority(impact: Impact, urgency: Urgency) throws(CommandError) -> Priority {
        guard let priority = cells[impact]?[urgency] else {
            var fields: [String: String] = [:]
            fields["impact"] = impact.knownValueProblem
            fields["urgency"] = urgency.knownValueProblem
            throw CommandError(
                .validation, "a priority needs an impact and urgency this service knows", rule: "priority.unknown_value",
                fields: fields)
        }
        return priority
    }
}
