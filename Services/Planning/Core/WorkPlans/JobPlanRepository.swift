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
        let tasks = stored.tasks
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).job_plan_tasks
                (plan_name, plan_version, position, key, title, task_group, phase, owner, estimate_minutes, predecessors, kind, step)
            SELECT \(stored.name), \(stored.version), t.position, t.key, t.title, t.task_group, t.phase, t.owner, t.estimate,
                   coalesce(string_to_array(nullif(t.predecessors, ''), ','), '{}'), t.kind, nullif(t.step, '')
            FROM unnest(\(bind: PostgresArrayBind.int32s(tasks.indices.map { Int32($0) })),
                        \(bind: PostgresArrayBind.texts(tasks.map(\.key))), \(bind: PostgresArrayBind.texts(tasks.map(\.title))),
                        \(bind: PostgresArrayBind.texts(tasks.map(\.group))), \(bind: PostgresArrayBind.texts(tasks.map(\.phase.rawValue))),
                        \(bind: PostgresArrayBind.texts(tasks.map(\.owner.text))),
                        \(bind: PostgresArrayBind.int32s(tasks.map { Int32($0.estimateMinutes) })),
                        \(bind: PostgresArrayBind.texts(tasks.map { $0.predecessors.joined(separator: ",") })),
                        \(bind: PostgresArrayBind.texts(tasks.map(\.kind.rawValue))),
                        \(bind: PostgresArrayBind.texts(tasks.map { $0.step?.rawValue ?? "" })))
                 AS t(position, key, title, task_group, phase, owner, estimate, predecessors, kind, step)
            """, label: "insert job plan tasks")
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
