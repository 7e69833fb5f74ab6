import Contracts
import Foundation
import Postgres

/// Evaluates the configured exit criteria of a release's current phase from the release
/// record, its changes and the CMDB, in the command's transaction (so what is checked is
/// what the release row lock protects). `ReleaseLifecycle` decides what the results allow.
public struct ExitCriteriaEvaluator: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Every configured criterion of `phase`, evaluated for `release`, ordered by name.
    public func evaluate(
        _ release: ReleaseRecord, leaving phase: ReleasePhase, in transaction: PostgresTransaction
    ) async throws -> [ExitCriterionResult] {
        let configured = try await ExitCriteriaSettings(schema: schema).criteria(of: phase, in: transaction)
        var results: [ExitCriterionResult] = []
        for (criterion, severity) in configured.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let failure = try await check(criterion, release, phase, in: transaction)
            results.append(
                ExitCriterionResult(name: criterion.rawValue, severity: severity, passed: failure == nil, detail: failure))
        }
        return results
    }

    /// Nil when `criterion` holds; otherwise why not, for the person advancing.
    private func check(
        _ criterion: ExitCriterion, _ release: ReleaseRecord, _ phase: ReleasePhase, in transaction: PostgresTransaction
    ) async throws -> String? {
        switch criterion {
        case .businessJustification:
            return release.justification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? "the release has no business justification" : nil
        case .scheduleSet:
            return release.scheduledStart == nil || release.scheduledEnd == nil
                ? "scheduled start and end must both be set" : nil
        case .jobPlanNamed:
            return release.jobPlanName == nil ? "no job plan is named" : nil
        case .changesAdded:
            let rows = try await transaction.query(
                "SELECT count(*) FROM \(identifier: schema).release_changes WHERE release_key = \(release.key)",
                label: "count changes")
            return try rows.single().decode(at: 0, as: Int.self) == 0 ? "no change request is part of the release" : nil
        case .affectedCIsIdentified:
            return try await unidentifiedCIs(release.key, in: transaction)
        case .phaseTasksFinished:
            return try await unfinishedTasks(release.key, phase, in: transaction)
        }
    }

    private func unfinishedTasks(_ key: String, _ phase: ReleasePhase, in transaction: PostgresTransaction) async throws -> String? {
        let rows = try await transaction.query(
            """
            SELECT count(*) FILTER (WHERE phase = \(phase.rawValue) AND state NOT IN ('done', 'skipped', 'cancelled')),
                   string_agg(key, ', ' ORDER BY position) FILTER (WHERE phase = \(phase.rawValue)
                                                                   AND state NOT IN ('done', 'skipped', 'cancelled')),
                   count(*)
            FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(key)
            """, label: "unfinished tasks")
        let (open, keys, all) = try rows.single().decode((Int, String?, Int).self)
        if all == 0 { return "the release has no work plan" }
        guard open > 0, let keys else { return nil }
        return "\(open) task(s) of \(phase.rawValue) not done or skipped: \(keys.count > 300 ? String(keys.prefix(300)) + "…" : keys)"
    }

    private func unidentifiedCIs(_ key: String, in transaction: PostgresTransaction) async throws -> String? {
        let rows = try await transaction.query(
            """
            SELECT
                (SELECT count(*) FROM \(identifier: schema).release_changes
                 WHERE release_key = \(key) AND cardinality(affected_cis) = 0),
                (SELECT count(DISTINCT ci) FROM \(identifier: schema).release_changes rc, unnest(rc.affected_cis) AS ci
                 WHERE rc.release_key = \(key)
                   AND NOT EXISTS (SELECT 1 FROM \(identifier: schema).configuration_items c WHERE c.key = ci))
            """, label: "unidentified CIs")
        let (withoutCIs, unknown) = try rows.single().decode((Int, Int).self)
        var problems: [String] = []
        if withoutCIs > 0 { problems.append("\(withoutCIs) change(s) name no affected CI") }
        if unknown > 0 { problems.append("\(unknown) affected CI(s) are not in the CMDB") }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
