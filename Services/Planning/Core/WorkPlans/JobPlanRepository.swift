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

    /// The latest version of the job plan `name`, or nil.
    public func latestVersion(of name: String, in transaction: PostgresTransaction) async throws -> (version: Int, taskCount: Int)? {
        try await transaction.query(
            """
            SELECT version, task_count FROM \(identifier: schema).job_plans WHERE name = \(name) ORDER BY version DESC LIMIT 1
            """, label: "latest job plan").first.map { (try $0.decode(at: 0, as: Int.self), try $0.decode(at: 1, as: Int.self)) }
    }
}
