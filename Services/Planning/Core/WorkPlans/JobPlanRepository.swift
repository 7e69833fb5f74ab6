import Contracts
import Foundation
import Postgres

/// Reads and writes `<schema>.job_plans` and `<schema>.job_plan_tasks` in the caller's
/// transaction. A version, once stored, is never updated.
public struct JobPlanRepository: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Stores `plan` (validated by the caller) as the next version of its name; returns it
    /// with that version. Saves of one name take turns (a transaction advisory lock on it).
    public func saveNewVersion(_ plan: JobPlan, by actor: String, in transaction: PostgresTransaction) async throws -> JobPlan {
        var stored = plan
        stored.version = try await transaction.query(
            """
            WITH turn AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext(\(schema) || '.job_plans'), hashtext(\(plan.name))))
            SELECT coalesce(max(version), 0) + 1 FROM \(identifier: schema).job_plans, turn WHERE name = \(plan.name)
            """, label: "next job plan version").single().decode(at: 0, as: Int.self)
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).job_plans (name, version, description, task_count, created_by)
            VALUES (\(stored.name), \(stored.version), \(stored.description), \(stored.tasks.count), \(actor))
            """, label: "insert job plan")
        try await transaction.query(
            TaskRowsInsert.jobPlan(stored.tasks, name: stored.name, version: stored.version, schema: schema),
            label: "insert job plan tasks")
        return stored
    }

    /// The tasks of job plan `name` version `version`, in plan order.
    public func tasks(of name: String, version: Int, in transaction: PostgresTransaction) async throws -> [JobPlanTask] {
        let rows = try await transaction.query(
            """
            SELECT key, title, task_group, phase, owner, estimate_minutes, array_to_string(predecessors, ','), kind, step
            FROM \(identifier: schema).job_plan_tasks WHERE plan_name = \(name) AND plan_version = \(version) ORDER BY position
            """, label: "job plan tasks")
        return try rows.map { row in
            let owner = try row.decode(at: 4, as: String.self)
            // A stored owner this version cannot read fails loudly, never as a guess.
            guard let parsed = TaskOwner(text: owner) else {
                throw CommandError(.internal, "job plan \(name) v\(version) holds an unreadable owner", rule: "job_plans.stored_values")
            }
            return JobPlanTask(
                key: try row.decode(at: 0, as: String.self), title: try row.decode(at: 1, as: String.self),
                group: try row.decode(at: 2, as: String.self), phase: ReleasePhase(rawValue: try row.decode(at: 3, as: String.self)),
                owner: parsed, estimateMinutes: try row.decode(at: 5, as: Int.self),
                predecessors: try row.decode(at: 6, as: String.self).split(separator: ",").map(String.init),
                kind: TaskKind(rawValue: try row.decode(at: 7, as: String.self)),
                step: try row.decode(at: 8, as: String?.self).map(AutomatedStep.init(rawValue:)))
        }
    }

    /// The latest version of the job plan `name`, or nil.
    public func latestVersion(of name: String, in transaction: PostgresTransaction) async throws -> (version: Int, taskCount: Int)? {
        try await transaction.query(
            """
            SELECT version, task_count FROM \(identifier: schema).job_plans WHERE name = \(name) ORDER BY version DESC LIMIT 1
            """, label: "latest job plan").first.map { (try $0.decode(at: 0, as: Int.self), try $0.decode(at: 1, as: Int.self)) }
    }
}
