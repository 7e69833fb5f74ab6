import Contracts
import Foundation
import PlanningCore
import Postgres

/// Reads what a report prints through the queries the API answers with (``ReleaseQueries``,
/// ``WorkPlanQueries``, ``RolloutQueries``, ``NotificationQueries``), so a report states the
/// same facts as the API's own reads. Read-only; every value is bound.
public struct ReportQueries: Sendable {
    public let pool: PostgresPool
    /// Targets read per statement while a report gathers up to ``ReleaseReport/targetLimit``.
    static let targetPage = 1_000

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The status report of release `key`: a validation error for a key that is not
    /// key-shaped, `notFound` for an unknown release (both before planning is asked anything).
    /// `verify` asks planning for the audit verdict (only it holds the keys); it answers
    /// ``ReleaseReport/Verdict/unverified`` rather than fail the report.
    public func release(
        _ key: String, now: Date = Date(), verify: @Sendable (String) async -> ReleaseReport.Verdict
    ) async throws -> ReleaseReport {
        guard ReleaseKeys.isValid(key) else {
            throw CommandError(.validation, "key is not a release key", rule: "reports.key", fields: ["key": "is not a release key"])
        }
        let releases = ReleaseQueries(pool: pool)
        let release = try await releases.release(key)
        let workPlan = try await Self.absentIfNotFound { try await WorkPlanQueries(pool: pool).workPlan(key, now: now) }
        let rollouts = RolloutQueries(pool: pool)
        let rollout = try await Self.absentIfNotFound { try await rollouts.status(of: key) }
        var targets: [RolloutTargetView] = []
        var more = false
        if rollout != nil {
            var filter = try RolloutTargetFilter()
            filter.limit = Self.targetPage
            repeat {
                let page = try await Self.absentIfNotFound { try await rollouts.targets(of: key, filter) }
                targets += page?.items ?? []
                filter.afterTaskKey = page?.nextCursor
            } while filter.afterTaskKey != nil && targets.count < ReleaseReport.targetLimit
            more = filter.afterTaskKey != nil || targets.count > ReleaseReport.targetLimit
            targets = Array(targets.prefix(ReleaseReport.targetLimit))
        }
        let deliveries = try await NotificationQueries(pool: pool).deliveries(of: key, DeliveryFilter(limit: nil))
        let audit = try await releases.auditEntries(of: key)
        let verdict = await verify(key)
        return ReleaseReport(
            release: release, workPlan: workPlan, rollout: rollout, targets: targets, moreTargets: more, deliveries: deliveries,
            auditEntries: audit, verdict: verdict, generatedAt: now)
    }

    /// The portfolio of `range`: releases whose scheduled window overlaps it (an unscheduled
    /// release by the day it was created), in schedule order, with work-plan progress and
    /// latest-rollout counts read for all of them at once.
    public func portfolio(_ range: PortfolioRange, schema: String = PlanningSchema.name, now: Date = Date()) async throws -> PortfolioReport {
        let rows = try await pool.query(
            """
            SELECT key, title, phase, status, priority, scheduled_start, scheduled_end
            FROM \(identifier: schema).releases
            WHERE CASE WHEN scheduled_start IS NULL THEN created_at >= \(range.start) AND created_at < \(range.end)
                       ELSE scheduled_start < \(range.end) AND coalesce(scheduled_end, scheduled_start) >= \(range.start) END
            ORDER BY coalesce(scheduled_start, created_at), key
            LIMIT \(PortfolioReport.releaseLimit + 1)
            """)
        let listed = try rows.prefix(PortfolioReport.releaseLimit).map { row in
            try row.decode((String, String, String, String, String, Date?, Date?).self)
        }
        let keys = listed.map(\.0)
        let percents = try await WorkPlanQueries(schema: schema, pool: pool).percentDone(of: keys)
        let counts = try await RolloutQueries(pool: pool).latestCounts(of: keys)
        return PortfolioReport(
            range: range,
            rows: listed.map { row in
                let (key, title, phase, status, priority, start, end) = row
                return PortfolioReport.Row(key: key, title: title, phase: phase, status: status, priority: priority, scheduledStart: start,
                      scheduledEnd: end, percentDone: percents[key], rollout: counts[key])
            },
            truncated: rows.count > PortfolioReport.releaseLimit, generatedAt: now)
    }

    /// `read`'s answer, or nil when it refuses with `notFound` (no work plan, no rollout).
    static func absentIfNotFound<Value>(_ read: () async throws -> Value) async throws -> Value? {
        do {
            return try await read()
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return nil
        }
    }
}
