import Contracts
import Foundation
import Postgres

/// Reads for the calendar and the deployment guards: freeze windows, what stands in the way of
/// a release's deployment (`shipboard release collisions`), and the iCalendar feed.
public struct DeploymentGuardQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// Every freeze window, by name.
    public func freezeWindows() async throws -> [FreezeWindowSummary] {
        try await pool.withTransaction { try await FreezeWindowRepository(schema: schema).all(in: $0) }.map(\.summary)
    }

    /// The blackouts and collisions of the release's deployment (its scheduled window while that
    /// lies ahead, else one starting now), each marked overridden or not; `notFound` for an
    /// unknown release. One repeatable-read snapshot, so the parts agree.
    public func report(of key: String, at now: Date = Date()) async throws -> DeploymentGuardReport {
        try await pool.readingSnapshot { transaction in
            let release = try await ReleaseFootprints(schema: schema).schedule(of: key, in: transaction)
            let check = try await DeploymentGuardReader(schema: schema).assess(
                release, over: .overriding(now), checkingCollisions: true, in: transaction)
            return (check ?? DeploymentGuard(conflicts: [], collisions: [], override: nil)).report(for: key)
        }
    }

    /// The release calendar as an RFC 5545 feed: every scheduled release that is not
    /// cancelled or rejected, and every freeze window.
    public func calendarFeed(at now: Date = Date()) async throws -> String {
        let (releases, windows) = try await calendarEntries()
        return ICalendarFeed(releases: releases, windows: windows).render(generatedAt: now)
    }

    /// The release calendar over `[from, to)`, as the feed has it: the scheduled releases
    /// (not cancelled or rejected) whose window overlaps it, and the freeze windows'
    /// occurrences in it (``FreezeCalendar``, which refuses a stretch of over four years),
    /// each list earliest first.
    public func calendar(from: Date, to: Date) async throws -> (releases: [ReleaseCalendarEntry], freezes: [FreezeOccurrence]) {
        let (releases, windows) = try await calendarEntries()
        var freezes: [FreezeOccurrence] = []
        for window in windows { freezes += try FreezeCalendar.occurrences(of: window, from: from, to: to) }
        return (releases.filter { $0.scheduledStart < to && $0.scheduledEnd > from },
                freezes.sorted { ($0.start, $0.windowName) < ($1.start, $1.windowName) })
    }

    /// Every scheduled release that is not cancelled or rejected, and every freeze window, in
    /// one repeatable-read snapshot (what the feed and the calendar page both show).
    func calendarEntries() async throws -> ([ReleaseCalendarEntry], [FreezeWindow]) {
        try await pool.readingSnapshot { transaction in
            let rows = try await transaction.query(
                """
                SELECT key, title, scheduled_start, scheduled_end, phase, status FROM \(identifier: schema).releases
                WHERE scheduled_start IS NOT NULL AND scheduled_end IS NOT NULL AND status NOT IN ('cancelled', 'rejected')
                ORDER BY scheduled_start, key LIMIT 5000
                """, label: "calendar releases")
            let releases = try rows.map { row in
                ReleaseCalendarEntry(
                    key: try row.decode(at: 0, as: String.self), title: try row.decode(at: 1, as: String.self),
                    scheduledStart: try row.decode(at: 2, as: Date.self), scheduledEnd: try row.decode(at: 3, as: Date.self),
                    status: "\(try row.decode(at: 4, as: String.self)), \(try row.decode(at: 5, as: String.self).replacingOccurrences(of: "_", with: " "))")
            }
            return (releases, try await FreezeWindowRepository(schema: schema).all(in: transaction))
        }
    }
}
