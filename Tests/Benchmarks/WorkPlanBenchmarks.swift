import Contracts
import Foundation
import PlanningCore
import Postgres

/// Work plans in the database (issue 11), on a planning schema of their own:
/// - applying a stored 1,000-task job plan to a release (≤ 250 ms): what the apply handler
///   does in its transaction before the audit entry (lock the release, check it has no work
///   plan, find the latest version, `WorkPlanRepository.apply`), beside a plain
///   `INSERT … SELECT` of the same 1,000 rows into a table without logic, committed alike;
/// - a release's work plan with its progress and critical path at 10,000 tasks (≤ 50 ms):
///   `WorkPlanQueries.workPlan`, beside one `SELECT` of the same rows; and, to show where
///   the time goes, the load alone (`WorkPlanRepository.load`) and `WorkPlanProgress` alone
///   in memory.
enum WorkPlanBenchmarks {
    static func run(databaseURL: String, migrations: String, runs: Int = 20) async throws -> [BenchmarkRow] {
        let configuration = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: configuration)
        let schema = "bench_work_plans_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: configuration, maxConnections: 2)
        try await pool.query("SELECT public.shipboard_create_planning_schema(\(schema))")
        do {
            let rows = try await measure(schema: schema, pool: pool, runs: runs)
            try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await pool.close()
            return rows
        } catch {
            _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await pool.close()
            throw error
        }
    }

    private static func measure(schema: String, pool: PostgresPool, runs: Int) async throws -> [BenchmarkRow] {
        let small = try generatedPlan(name: "bench-1k", tasks: 1_000)
        let large = try generatedPlan(name: "bench-10k", tasks: 10_000)
        try await pool.withTransaction { transaction in
            _ = try await JobPlanRepository(schema: schema).saveNewVersion(small, by: "bench", in: transaction)
            _ = try await JobPlanRepository(schema: schema).saveNewVersion(large, by: "bench", in: transaction)
        }
        _ = try await pool.query("VACUUM ANALYZE \(identifier: schema).job_plan_tasks")

        // 1. Apply, each run into a release of its own (two warm-up runs first).
        var releases: [String] = []
        for _ in 0..<(runs + 3) { releases.append(try await createRelease(schema: schema, pool: pool)) }
        var next = 0
        let apply = try await medianMilliseconds(runs) {
            try await applyAsHandlerDoes(small.name, to: releases[next], schema: schema, pool: pool)
            next += 1
        }
        _ = try await pool.query(
            "CREATE TABLE \(identifier: schema).bench_task_copies (LIKE \(identifier: schema).job_plan_tasks)")
        let copy = try await medianMilliseconds(runs) {
            try await pool.withTransaction { transaction in
                _ = try await transaction.query(
                    """
                    INSERT INTO \(identifier: schema).bench_task_copies
                    SELECT * FROM \(identifier: schema).job_plan_tasks WHERE plan_name = \(small.name) AND plan_version = 1
                    """, label: "copy rows")
            }
        }

        // 2. The 10,000-task work plan, a fifth of it done, of a release scheduled a month ago
        // (so that late tasks are computed too).
        let key = releases[next]
        try await applyAsHandlerDoes(large.name, to: key, schema: schema, pool: pool)
        _ = try await pool.query(
            """
            UPDATE \(identifier: schema).work_plan_tasks
            SET state = 'done', started_at = now() - interval '20 days', finished_at = now() - interval '19 days'
            WHERE release_key = \(key) AND position < 2000
            """)
        _ = try await pool.query(
            "UPDATE \(identifier: schema).releases SET scheduled_start = now() - interval '30 days' WHERE key = \(key)")
        _ = try await pool.query("VACUUM ANALYZE \(identifier: schema).work_plan_tasks")
        let queries = WorkPlanQueries(schema: schema, pool: pool)
        let view = try await queries.workPlan(key)
        let progress = try await medianMilliseconds(runs) { _ = try await queries.workPlan(key) }
        let select = try await medianMilliseconds(runs) {
            _ = try await pool.query(
                """
                SELECT key, title, task_group, phase, owner, assignee, estimate_minutes, array_to_string(predecessors, ','),
                       kind, step, state, reason, started_at, finished_at
                FROM \(identifier: schema).work_plan_tasks WHERE release_key = \(key) ORDER BY position
                """)
        }
        let repository = WorkPlanRepository(schema: schema)
        let load = try await medianMilliseconds(runs) {
            _ = try await pool.withTransaction(.repeatableRead) { try await repository.load(key, in: $0) }
        }
        guard let plan = try await pool.withTransaction(.repeatableRead, { try await repository.load(key, in: $0) }) else {
            throw BenchmarkError("work-plans: \(key) has no work plan after the apply")
        }
        let scheduled = Date().addingTimeInterval(-30 * 86_400)
        let inMemory = try await medianMilliseconds(runs) { _ = WorkPlanProgress(of: plan, now: Date(), scheduledStart: scheduled) }
        print("work-plans: 10,000 tasks, critical path of \(view.criticalPath.count) tasks, \(view.remainingMinutes) minutes left, "
              + "\(view.lateTasks.count) late")
        return [
            BenchmarkRow(name: "apply a 1,000-task job plan, p50", value: apply, unit: "ms",
                         baselineName: "INSERT … SELECT of the same rows", baseline: copy, target: 250, targetIsMaximum: true),
            BenchmarkRow(name: "work plan progress + critical path, 10k tasks", value: progress, unit: "ms",
                         baselineName: "one SELECT of the same rows", baseline: select, target: 50, targetIsMaximum: true),
            BenchmarkRow(name: "work plan load alone, 10k tasks", value: load, unit: "ms",
                         baselineName: "one SELECT of the same rows", baseline: select, target: nil),
            BenchmarkRow(name: "WorkPlanProgress alone, 10k tasks (in memory)", value: inMemory, unit: "ms",
                         baselineName: "-", baseline: nil, target: nil),
        ]
    }

    /// The apply handler's reads and writes in one transaction (read the version's tasks, the
    /// release's sites, build the work plan in memory, insert it), without its audit entry and
    /// outbox row (one row each, whatever the plan's size).
    private static func applyAsHandlerDoes(_ name: String, to releaseKey: String, schema: String, pool: PostgresPool) async throws {
        try await pool.withTransaction { transaction in
            _ = try await ReleaseRepository(schema: schema).lockWithState(releaseKey, in: transaction)
            let workPlans = WorkPlanRepository(schema: schema)
            guard try await !workPlans.exists(releaseKey, in: transaction),
                  let (version, _) = try await JobPlanRepository(schema: schema).latestVersion(of: name, in: transaction)
            else { throw BenchmarkError("work-plans: cannot apply \(name) to \(releaseKey)") }
            let sites = try await ReleaseChanges(schema: schema).sites(of: releaseKey, in: transaction)
            let tasks = try await JobPlanRepository(schema: schema).tasks(of: name, version: version, in: transaction)
            try await workPlans.apply(WorkPlan(applying: JobPlan(name: name, version: version, tasks: tasks), sites: sites),
                                      to: releaseKey, in: transaction)
            try await transaction.query(
                "UPDATE \(identifier: schema).releases SET job_plan_name = \(name) WHERE key = \(releaseKey)", label: "record plan name")
        }
    }

    private static func createRelease(schema: String, pool: PostgresPool) async throws -> String {
        try await pool.withTransaction { transaction in
            let key = try await ReleaseKeys.next(schema: schema, in: transaction)
            // Commands decode the lifecycle state, so the row holds a new release's.
            let state = String(decoding: try ContractCoding.encode(
                ReleaseState(key: key, type: .minor, requester: "alice", coordinator: "carol")), as: UTF8.self)
            try await transaction.query(
                """
                INSERT INTO \(identifier: schema).releases (key, title, type, impact, urgency, priority, requester, coordinator, state)
                VALUES (\(key), 'Work plan bench', 'minor', 'medium', 'high', 'high', 'alice', 'carol', \(state)::jsonb)
                """)
            return key
        }
    }

    /// A validated plan of `tasks` tasks whose predecessors form a realistic DAG: each task
    /// follows 0 to 3 of the 200 tasks before it (fixed seed), phases rise through the plan
    /// so that no task follows one of a later phase, estimates 15 minutes to 8 hours.
    static func generatedPlan(name: String, tasks count: Int) throws -> JobPlan {
        var random = SeededRandom(seed: 11)
        let phases = ReleasePhase.allCases
        let owners = ["release-managers", "build-engineers", "testers", "rollout-operators", "communications"]
        let tasks = (0..<count).map { index in
            let key = "t\(index + 1)"
            var predecessors: Set<Int> = []
            if index > 0 {
                let wanted = Int(random.next() % 4)
                for _ in 0..<wanted { predecessors.insert(max(0, index - 200) + Int(random.next() % UInt64(min(index, 200)))) }
            }
            return JobPlanTask(
                key: key, title: "Bench task \(index + 1)", group: "group-\(index / 50)", phase: phases[index * phases.count / count],
                owner: .group(owners[index % owners.count]), estimateMinutes: 15 + Int(random.next() % 466),
                predecessors: predecessors.sorted().map { "t\($0 + 1)" })
        }
        let plan = JobPlan(name: name, description: "Generated for shipboard-bench", tasks: tasks)
        try plan.validate()
        return plan
    }
}
