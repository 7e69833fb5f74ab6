import Contracts
import Foundation
import Postgres

/// Reads and writes a release's work plan (`<schema>.work_plan_tasks`) in the caller's
/// transaction; the caller holds the release's row lock, so one release's tasks change one
/// command at a time.
public struct WorkPlanRepository: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Stores `plan`, just built from a job plan version, as the release's work plan (one
    /// INSERT of every row) and records the version on the release.
    public func apply(_ plan: WorkPlan, to releaseKey: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(TaskRowsInsert.workPlan(plan.tasks, releaseKey: releaseKey, schema: schema), label: "apply job plan")
        // The version only: the name is the release record's, saved with it.
        try await transaction.query(
            "UPDATE \(identifier: schema).releases SET job_plan_version = \(plan.jobPlanVersion) WHERE key = \(releaseKey)",
            label: "record job plan version")
    }

    /// True when the release has a work plan.
    public func exists(_ releaseKey: String, in transaction: PostgresTransaction) async throws -> Bool {
        try await !transaction.query(
            "SELECT 1 FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(releaseKey) LIMIT 1", label: "work plan exists"
        ).isEmpty
    }

    /// The release's work plan, or nil when none was applied.
    public func load(_ releaseKey: String, in transaction: PostgresTransaction) async throws -> WorkPlan? {
        guard let header = try await header(of: releaseKey, in: transaction) else { return nil }
        let rows = try await transaction.query(
            "SELECT \(columns: .workPlanTask) FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(releaseKey) ORDER BY position",
            label: "load work plan")
        guard !rows.isEmpty else { return nil }
        return WorkPlan(jobPlanName: header.name, jobPlanVersion: header.version, tasks: try rows.map(Self.task(from:)))
    }

    /// The part of the release's work plan an action on `taskKey` reads and changes (see
    /// ``WorkPlan/neighbourhood(jobPlanName:jobPlanVersion:tasks:)``), or nil when no work
    /// plan was applied. An unknown task gives an empty neighbourhood (the action is refused).
    /// One statement (a task action runs many times a second): an indexed range read of the
    /// release's rows, only the neighbourhood decoded, the plan's name and version beside it
    /// (one row of NULL task columns when the neighbourhood is empty).
    public func loadNeighbourhood(
        of taskKey: String, releaseKey: String, in transaction: PostgresTransaction
    ) async throws -> WorkPlan? {
        try Self.neighbourhood(
            from: try await transaction.query(neighbourhoodQuery(of: taskKey, releaseKey: releaseKey), label: "load task neighbourhood"))
    }

    /// The statement of ``loadNeighbourhood(of:releaseKey:in:)``, for a caller that sends it
    /// with others in one round trip.
    public func neighbourhoodQuery(of taskKey: String, releaseKey: String) -> PostgresQuery {
        """
        WITH plan AS MATERIALIZED (
            SELECT key, predecessors FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(releaseKey)
        ), successors AS (
            SELECT key, predecessors FROM plan WHERE \(taskKey) = ANY (predecessors)
        ), wanted AS (
            SELECT \(taskKey)::text AS key
            UNION SELECT unnest(predecessors) FROM plan WHERE key = \(taskKey)
            UNION SELECT key FROM successors
            UNION SELECT unnest(predecessors) FROM successors
        ), neighbourhood AS (
            SELECT \(columns: .workPlanTask), position AS task_position FROM \(identifier: schema).work_plan_tasks
            WHERE release_key = \(releaseKey) AND key IN (SELECT key FROM wanted)
        )
        SELECT n.*, r.job_plan_name, r.job_plan_version
        FROM \(identifier: schema).releases r LEFT JOIN neighbourhood n ON true
        WHERE r.key = \(releaseKey) ORDER BY n.task_position
        """
    }

    /// The work plan in the rows of ``neighbourhoodQuery(of:releaseKey:)``; `nil` when the
    /// release has none.
    public static func neighbourhood(from rows: PostgresRows) throws -> WorkPlan? {
        guard let first = rows.first, let name = try first.decode(at: 15, as: String?.self),
              let version = try first.decode(at: 16, as: Int?.self)
        else { return nil }
        let tasks = try rows.filter { try $0.decode(at: 0, as: String?.self) != nil }.map(Self.task(from:))
        return .neighbourhood(jobPlanName: name, jobPlanVersion: version, tasks: tasks)
    }

    private func header(of releaseKey: String, in transaction: PostgresTransaction) async throws -> (name: String, version: Int)? {
        let header = try await transaction.query(
            "SELECT job_plan_name, job_plan_version FROM \(identifier: schema).releases WHERE key = \(releaseKey)",
            label: "work plan header")
        guard let row = header.first, let name = try row.decode(at: 0, as: String?.self),
              let version = try row.decode(at: 1, as: Int?.self)
        else { return nil }
        return (name, version)
    }

    /// Decodes the columns of ``SelectedColumns/workPlanTask``.
    private static func task(from row: PostgresRow) throws -> WorkPlanTask {
        var task = WorkPlanTask(copying: JobPlanTask(
            key: try row.decode(at: 0, as: String.self), title: try row.decode(at: 1, as: String.self),
            group: try row.decode(at: 2, as: String.self), phase: ReleasePhase(rawValue: try row.decode(at: 3, as: String.self)),
            owner: TaskOwner(text: try row.decode(at: 4, as: String.self)) ?? .group("unknown"),
            estimateMinutes: try row.decode(at: 6, as: Int.self),
            predecessors: try row.decode(at: 7, as: String.self).split(separator: ",").map(String.init),
            kind: TaskKind(rawValue: try row.decode(at: 8, as: String.self)),
            step: try row.decode(at: 9, as: String?.self).map(AutomatedStep.init(rawValue:))))
        task.assignee = try row.decode(at: 5, as: String?.self)
        task.state = TaskState(rawValue: try row.decode(at: 10, as: String.self))
        task.reason = try row.decode(at: 11, as: String?.self)
        task.startedAt = try row.decode(at: 12, as: Date?.self)
        task.finishedAt = try row.decode(at: 13, as: Date?.self)
        return task
    }

    /// Writes the state, assignee, reason and times of `tasks` (those an action changed).
    public func saveStates(of tasks: [WorkPlanTask], releaseKey: String, in transaction: PostgresTransaction) async throws {
        guard !tasks.isEmpty else { return }
        try await transaction.enqueue(
            """
            UPDATE \(identifier: schema).work_plan_tasks AS w
            SET state = u.state, assignee = nullif(u.assignee, ''), reason = nullif(u.reason, ''),
                started_at = u.started_at, finished_at = u.finished_at
            FROM unnest(\(bind: PostgresArrayBind.texts(tasks.map(\.key))), \(bind: PostgresArrayBind.texts(tasks.map(\.state.rawValue))),
                        \(bind: PostgresArrayBind.texts(tasks.map { $0.assignee ?? "" })),
                        \(bind: PostgresArrayBind.texts(tasks.map { $0.reason ?? "" })),
                        \(bind: PostgresArrayBind.int64s(tasks.map { Self.microseconds($0.startedAt) })),
                        \(bind: PostgresArrayBind.int64s(tasks.map { Self.microseconds($0.finishedAt) })))
                 AS v(key, state, assignee, reason, started_us, finished_us),
                 LATERAL (SELECT v.key, v.state, v.assignee, v.reason,
                                 CASE WHEN v.started_us >= 0 THEN to_timestamp(v.started_us / 1e6) END AS started_at,
                                 CASE WHEN v.finished_us >= 0 THEN to_timestamp(v.finished_us / 1e6) END AS finished_at) AS u
            WHERE w.release_key = \(releaseKey) AND w.key = u.key
            """, label: "save task states")
    }

    /// Writes the whole work plan after an edit (positions, links and owners may all move):
    /// the release's rows are replaced in two statements, inside the caller's transaction.
    public func replace(_ plan: WorkPlan, releaseKey: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            "DELETE FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(releaseKey)", label: "clear work plan")
        try await transaction.query(
            TaskRowsInsert.workPlan(plan.tasks, releaseKey: releaseKey, schema: schema), label: "write work plan")
    }

    /// Microseconds since 1970, or -1 for none (times before 1970 do not occur here).
    static func microseconds(_ date: Date?) -> Int64 {
        date.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) } ?? -1
    }
}

/// A list of columns a query selects: constant text of this file, never built from input.
struct SelectedColumns: Sendable {
    fileprivate let sql: String

    /// What ``WorkPlanRepository`` decodes into a task, in its order.
    static let workPlanTask = SelectedColumns(sql: """
        key, title, task_group, phase, owner, assignee, estimate_minutes, array_to_string(predecessors, ','),
        kind, step, state, reason, started_at, finished_at
        """)
}

extension PostgresQuery.StringInterpolation {
    mutating func appendInterpolation(columns: SelectedColumns) {
        appendLiteral(columns.sql)
    }
}
