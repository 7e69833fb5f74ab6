import Contracts
import Foundation
import Postgres

/// Read-only queries over releases for the gateway (ARCHITECTURE.md: it "answers queries
/// from PostgreSQL"). Nothing here writes or locks; every value is a bound parameter.
///
/// Each query is one statement (READ COMMITTED): a release and its changes are read together,
/// in one round trip (the gateway's busiest read).
public struct ReleaseQueries: Sendable {
    public let schema: String
    public let pool: PostgresPool

    public init(schema: String = PlanningSchema.name, pool: PostgresPool) {
        self.schema = schema
        self.pool = pool
    }

    /// One release in full; `notFound` when no release has `key`.
    public func release(_ key: String) async throws -> ReleaseDetail {
        let rows = try await pool.query(
            """
            SELECT key, title, description, type, impact, urgency, priority, risk, justification, requester, coordinator,
                   scheduled_start, scheduled_end, target_date::timestamp AT TIME ZONE 'UTC' AS target_date, template,
                   job_plan_name, phase, status, version, created_at, updated_at, state::text,
                   (SELECT coalesce(json_agg(json_build_object(
                               'externalID', c.external_id, 'title', c.title, 'status', c.status, 'risk', c.risk,
                               'affectedCIs', to_json(c.affected_cis)) ORDER BY c.added_at, c.external_id), '[]')::text
                    FROM \(identifier: schema).release_changes c WHERE c.release_key = r.key) AS changes
            FROM \(identifier: schema).releases r WHERE key = \(key)
            """)
        guard let row = rows.first else { throw Self.unknownRelease(key) }
        func text(_ column: String) throws -> String { try row.decode(column, as: String.self) }
        let state = try ContractCoding.decode(ReleaseState.self, from: Data(try text("state").utf8))
        return ReleaseDetail(
            key: try text("key"), title: try text("title"), description: try text("description"), type: try text("type"),
            impact: try text("impact"), urgency: try text("urgency"), priority: try text("priority"), risk: try text("risk"),
            justification: try text("justification"), requester: try text("requester"), coordinator: try text("coordinator"),
            scheduledStart: try row.decode("scheduled_start", as: Date?.self),
            scheduledEnd: try row.decode("scheduled_end", as: Date?.self),
            targetDate: try row.decode("target_date", as: Date?.self),
            template: try row.decode("template", as: String?.self),
            jobPlanName: try row.decode("job_plan_name", as: String?.self),
            // The columns are the source of truth for phase and status (filters use them).
            phase: try Self.phase(text("phase")), status: try Self.status(text("status")),
            version: try row.decode("version", as: Int.self),
            createdAt: try row.decode("created_at", as: Date.self), updatedAt: try row.decode("updated_at", as: Date.self),
            currentGate: state.currentGate, approvals: state.approvals, history: state.history,
            changes: try ReleaseChanges.decode(aggregated: text("changes"), of: key))
    }

    /// The release's version (it grows on every save): what a watcher polls before it reads
    /// the whole release again. `notFound` when no release has `key`.
    public func version(of key: String) async throws -> Int {
        let rows = try await pool.query("SELECT version FROM \(identifier: schema).releases WHERE key = \(key)")
        guard let row = rows.first else { throw Self.unknownRelease(key) }
        return try row.decode(at: 0, as: Int.self)
    }

    /// A page of releases matching `filter`, ordered by key. Refuses a limit outside
    /// 1…200 and over-long filter text with a validation error.
    public func releases(_ filter: ReleaseFilter) async throws -> ReleasePage {
        try Self.validate(filter)
        let pattern = filter.titleContains.map { "%" + Self.escapedForLike($0) + "%" }
        // One row more than the page tells whether another page follows.
        let rows = try await pool.query(
            """
            SELECT key, title, type, priority, phase, status, requester, coordinator, scheduled_start, scheduled_end,
                   updated_at
            FROM \(identifier: schema).releases
            WHERE (\(filter.phase?.rawValue)::text IS NULL OR phase = \(filter.phase?.rawValue)::text)
              AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue)::text)
              AND (\(filter.type?.rawValue)::text IS NULL OR type = \(filter.type?.rawValue)::text)
              AND (\(filter.priority?.rawValue)::text IS NULL OR priority = \(filter.priority?.rawValue)::text)
              AND (\(filter.requester)::text IS NULL OR requester = \(filter.requester)::text)
              AND (\(filter.coordinator)::text IS NULL OR coordinator = \(filter.coordinator)::text)
              AND (\(pattern)::text IS NULL OR title ILIKE \(pattern)::text ESCAPE '\\')
              AND (\(filter.afterKey)::text IS NULL OR key > \(filter.afterKey)::text)
            ORDER BY key
            LIMIT \(filter.limit + 1)
            """)
        let items = try rows.prefix(filter.limit).map { row in
            let (key, title, type, priority, phase, status, requester, coordinator, start, end, updated) = try row.decode(
                (String, String, String, String, String, String, String, String, Date?, Date?, Date).self)
            return ReleaseListItem(
                key: key, title: title, type: type, priority: priority, phase: try Self.phase(phase),
                status: try Self.status(status), requester: requester, coordinator: coordinator,
                scheduledStart: start, scheduledEnd: end, updatedAt: updated)
        }
        return ReleasePage(items: items, nextAfterKey: rows.count > filter.limit ? items.last?.key : nil)
    }

    /// A release's audit entries, oldest first; `notFound` for an unknown release.
    public func auditEntries(of key: String) async throws -> [AuditEntry] {
        try await requireRelease(key)
        return try await AuditLogReader(schema: schema).entries(chain: key, pool: pool)
    }

    /// The impact set of a release: the CIs its change requests affect plus everything that
    /// transitively depends on them, sorted by key; `notFound` for an unknown release.
    public func impactSet(of key: String) async throws -> [ConfigurationItem] {
        try await requireRelease(key)
        let rows = try await pool.query(
            """
            SELECT DISTINCT ci FROM \(identifier: schema).release_changes, unnest(affected_cis) AS ci
            WHERE release_key = \(key) ORDER BY ci
            """)
        let changed = try rows.map { try $0.decode(at: 0, as: String.self) }
        guard !changed.isEmpty else { return [] }
        return try await CIRepository(schema: schema, pool: pool).impactSet(changedCIKeys: changed)
    }
}
