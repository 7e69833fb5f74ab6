import Contracts
import Foundation
import Postgres

/// The fields a stored task row has in a job plan and in a work plan alike.
protocol TaskTemplateFields {
    var key: String { get }
    var title: String { get }
    var group: String { get }
    var phase: ReleasePhase { get }
    var owner: TaskOwner { get }
    var estimateMinutes: Int { get }
    var predecessors: [String] { get }
    var kind: TaskKind { get }
    var step: AutomatedStep? { get }
}

extension JobPlanTask: TaskTemplateFields {}
extension WorkPlanTask: TaskTemplateFields {}

/// The one INSERT of many task rows, shared by job plan versions and work plans: every
/// column is a bound array, unnested server-side (one statement whatever the plan's size).
/// The encoding lives here once: predecessors joined by commas (keys cannot contain one),
/// `''` for no step, assignee or reason, -1 for no time.
enum TaskRowsInsert {
    /// The tasks of job plan `name` version `version`.
    static func jobPlan(_ tasks: [JobPlanTask], name: String, version: Int, schema: String) -> PostgresQuery {
        query(schema: schema, table: "job_plan_tasks", owner: ["plan_name": PostgresBind(name), "plan_version": PostgresBind(version)],
              tasks, progress: nil)
    }

    /// The tasks of a release's work plan, with where each stands.
    static func workPlan(_ tasks: [WorkPlanTask], releaseKey: String, schema: String) -> PostgresQuery {
        query(schema: schema, table: "work_plan_tasks", owner: ["release_key": PostgresBind(releaseKey)], tasks, progress: tasks)
    }

    /// Column names and select expressions are constants of this file; values are binds only.
    private static func query(
        schema: String, table: String, owner: KeyValuePairs<String, PostgresBind>, _ tasks: [some TaskTemplateFields],
        progress: [WorkPlanTask]?
    ) -> PostgresQuery {
        var columns: [(name: String, select: String, values: PostgresBind)] = [
            ("position", "t.position", PostgresArrayBind.int32s(tasks.indices.map { Int32($0) })),
            ("key", "t.key", PostgresArrayBind.texts(tasks.map(\.key))),
            ("title", "t.title", PostgresArrayBind.texts(tasks.map(\.title))),
            ("task_group", "t.task_group", PostgresArrayBind.texts(tasks.map(\.group))),
            ("phase", "t.phase", PostgresArrayBind.texts(tasks.map(\.phase.rawValue))),
            ("owner", "t.owner", PostgresArrayBind.texts(tasks.map(\.owner.text))),
            ("estimate_minutes", "t.estimate_minutes", PostgresArrayBind.int32s(tasks.map { Int32($0.estimateMinutes) })),
            ("predecessors", "coalesce(string_to_array(nullif(t.predecessors, ''), ','), '{}')",
             PostgresArrayBind.texts(tasks.map { $0.predecessors.joined(separator: ",") })),
            ("kind", "t.kind", PostgresArrayBind.texts(tasks.map(\.kind.rawValue))),
            ("step", "nullif(t.step, '')", PostgresArrayBind.texts(tasks.map { $0.step?.rawValue ?? "" })),
        ]
        if let progress {
            columns += [
                ("assignee", "nullif(t.assignee, '')", PostgresArrayBind.texts(progress.map { $0.assignee ?? "" })),
                ("state", "t.state", PostgresArrayBind.texts(progress.map(\.state.rawValue))),
                ("reason", "nullif(t.reason, '')", PostgresArrayBind.texts(progress.map { $0.reason ?? "" })),
                ("started_at", "CASE WHEN t.started_at >= 0 THEN to_timestamp(t.started_at / 1e6) END",
                 PostgresArrayBind.int64s(progress.map { WorkPlanRepository.microseconds($0.startedAt) })),
                ("finished_at", "CASE WHEN t.finished_at >= 0 THEN to_timestamp(t.finished_at / 1e6) END",
                 PostgresArrayBind.int64s(progress.map { WorkPlanRepository.microseconds($0.finishedAt) })),
            ]
        }
        let names = (owner.map(\.key) + columns.map(\.name)).joined(separator: ", ")
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 1024, interpolationCount: owner.count + columns.count + 2)
        sql.appendLiteral("INSERT INTO ")
        sql.appendInterpolation(identifier: schema)
        sql.appendLiteral(".")
        sql.appendInterpolation(identifier: table)
        sql.appendLiteral(" (\(names)) SELECT ")
        for (_, value) in owner {
            sql.appendInterpolation(bind: value)
            sql.appendLiteral(", ")
        }
        sql.appendLiteral(columns.map(\.select).joined(separator: ", ") + " FROM unnest(")
        for (index, column) in columns.enumerated() {
            if index > 0 { sql.appendLiteral(", ") }
            sql.appendInterpolation(bind: column.values)
        }
        sql.appendLiteral(") AS t(\(columns.map(\.name).joined(separator: ", ")))")
        return PostgresQuery(stringInterpolation: sql)
    }
}
