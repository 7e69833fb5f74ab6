import Contracts
import Foundation
import Postgres

/// A release's work plan as the gateway shows it: the tasks and their progress.
public struct WorkPlanView: Codable, Sendable, Equatable {
    public struct PhaseShare: Codable, Sendable, Equatable {
        public var phase: ReleasePhase
        public var total: Int
        public var finished: Int
        public var inProgress: Int
        public var percent: Double
    }

    public var releaseKey: String
    public var jobPlanName: String
    public var jobPlanVersion: Int
    public var tasks: [WorkPlanTask]
    /// In process order, phases with tasks only.
    public var phases: [PhaseShare]
    public var percent: Double
    public var criticalPath: [String]
    public var remainingMinutes: Int
    public var expectedFinish: Date
    public var lateTasks: [String]

    init(releaseKey: String, plan: WorkPlan, progress: WorkPlanProgress) {
        self.releaseKey = releaseKey
        jobPlanName = plan.jobPlanName
        jobPlanVersion = plan.jobPlanVersion
        tasks = plan.tasks
        phases = ReleasePhase.allCases.compactMap { phase in
            progress.phases[phase].map {
                PhaseShare(phase: phase, total: $0.total, finished: $0.finished, inProgress: $0.inProgress, percent: $0.percent)
            }
        }
        percent = progress.overall.percent
        criticalPath = progress.criticalPath
        remainingMinutes = progress.remainingMinutes
        expectedFinish = progress.expectedFinish
        lateTasks = progress.lateTasks
    }
}

/// Read-only: a release's work plan with its progress. One repeatable-read snapshot (the
/// release's schedule and its tasks agree), no row locks, so no command waits on it.
public struct WorkPlanQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    public func workPlan(_ key: String, now: Date = Date()) async throws -> WorkPlanView {
        // A refusal (unknown release, no work plan) is the answer, not a database failure.
        try await pool.readingSnapshot { transaction in try await read(key, now: now, in: transaction) }
    }

    /// Each release's overall share of finished tasks (what ``WorkPlanView/percent`` says), in
    /// one statement for many releases: a release list's progress column without reading every
    /// plan. A release without a work plan (or an unknown key) is absent from the answer.
    public func percentDone(of keys: [String]) async throws -> [String: Double] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await pool.query(
            """
            SELECT t.release_key, t.state, count(*)
            FROM \(identifier: schema).work_plan_tasks t JOIN \(identifier: schema).releases r ON r.key = t.release_key
            WHERE t.release_key = ANY(\(bind: PostgresArrayBind.texts(keys)))
              AND r.job_plan_name IS NOT NULL AND r.job_plan_version IS NOT NULL
            GROUP BY t.release_key, t.state
            """)
        var shares: [String: WorkPlanProgress.Share] = [:]
        for row in rows {
            let (key, state, count) = try row.decode((String, String, Int).self)
            for _ in 0..<count { shares[key, default: .init()].add(TaskState(rawValue: state)) }
        }
        return shares.mapValues(\.percent)
    }

    private func read(_ key: String, now: Date, in transaction: PostgresTransaction) async throws -> WorkPlanView {
        let release = try await transaction.query(
            "SELECT scheduled_start FROM \(identifier: schema).releases WHERE key = \(key)", label: "release schedule")
        guard let row = release.first else { throw ReleaseQueries.unknownRelease(key) }
        guard let plan = try await WorkPlanRepository(schema: schema).load(key, in: transaction) else {
            throw CommandError(.notFound, "release \(key) has no work plan", rule: "work_plans.none")
        }
        let progress = WorkPlanProgress(of: plan, now: now, scheduledStart: try row.decode(at: 0, as: Date?.self))
        return WorkPlanView(releaseKey: key, plan: plan, progress: progress)
    }
}
