import Contracts
import Postgres

/// The configured exit criteria of each phase (table `<schema>.exit_criteria_settings`):
/// criterion → severity. `off` is the absence of a row.
public struct ExitCriteriaSettings: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Sets (or, with nil, removes) the severity of `criterion` on leaving `phase`.
    public func configure(
        _ criterion: ExitCriterion, of phase: ReleasePhase, severity: ExitCriterionSeverity?, by actor: String,
        in transaction: PostgresTransaction
    ) async throws {
        if let severity {
            try await transaction.query(
                """
                INSERT INTO \(identifier: schema).exit_criteria_settings (phase, criterion, severity, updated_by)
                VALUES (\(phase.rawValue), \(criterion.rawValue), \(severity.rawValue), \(actor))
                ON CONFLICT (phase, criterion) DO UPDATE
                SET severity = excluded.severity, updated_by = excluded.updated_by, updated_at = now()
                """, label: "configure exit criterion")
        } else {
            try await transaction.query(
                """
                DELETE FROM \(identifier: schema).exit_criteria_settings
                WHERE phase = \(phase.rawValue) AND criterion = \(criterion.rawValue)
                """, label: "switch off exit criterion")
        }
    }

    /// The criteria `phase` checks, with their severities. A stored criterion or severity this
    /// version does not know (a newer one wrote it) fails loudly with an internal error: a
    /// phase is never left with a criterion silently dropped.
    public func criteria(of phase: ReleasePhase, in transaction: PostgresTransaction) async throws -> [ExitCriterion: ExitCriterionSeverity] {
        let rows = try await transaction.query(
            """
            SELECT criterion, severity FROM \(identifier: schema).exit_criteria_settings
            WHERE phase = \(phase.rawValue) ORDER BY criterion
            """, label: "exit criteria of phase")
        var criteria: [ExitCriterion: ExitCriterionSeverity] = [:]
        for row in rows {
            let (name, severity) = try row.decode((String, String).self)
            guard let criterion = ExitCriterion(rawValue: name), let severity = ExitCriterionSeverity(rawValue: severity) else {
                throw CommandError(
                    .internal, "a stored exit criterion of phase \(phase.rawValue) has a name or severity this version does not know",
                    rule: "exit_criteria.stored_values")
            }
            criteria[criterion] = severity
        }
        return criteria
    }
}
