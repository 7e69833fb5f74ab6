import Contracts
import Foundation
import Postgres

/// Reads and writes `<schema>.releases` inside the caller's transaction.
public struct ReleaseRepository: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Inserts a new release under its key (a fresh one when the record has none) and
    /// returns the stored record.
    public func create(_ record: ReleaseRecord, in transaction: PostgresTransaction) async throws -> ReleaseRecord {
        var stored = record
        if !ReleaseKeys.isValid(stored.key) { stored.key = try await ReleaseKeys.next(schema: schema, in: transaction) }
        stored.version = 1
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).releases
                (key, title, description, type, impact, urgency, priority, risk, justification, requester, coordinator,
                 scheduled_start, scheduled_end, target_date, template, job_plan_name, phase, status, state, version,
                 audit_seq, audit_mac)
            VALUES (\(stored.key), \(stored.title), \(stored.description), \(stored.type), \(stored.impact),
                    \(stored.urgency), \(stored.priority), \(stored.risk), \(stored.justification), \(stored.requester),
                    \(stored.coordinator), \(stored.scheduledStart), \(stored.scheduledEnd),
                    (\(stored.targetDate)::timestamptz AT TIME ZONE 'UTC')::date, \(stored.template), \(stored.jobPlanName),
                    \(stored.phase), \(stored.status), convert_from(\(stored.state), 'UTF8')::jsonb, 1,
                    \(stored.auditSeq), \(stored.auditMAC))
            """, label: "insert release")
        return stored
    }

    /// ``lock(_:in:)`` and the release's lifecycle state decoded from it: where commands get
    /// a release to act on (task actions, the commonest, send ``lockQuery(_:)`` in a batch
    /// with their other read and decode it with ``locked(_:key:)``).
    public func lockWithState(_ key: String, in transaction: PostgresTransaction) async throws -> (ReleaseRecord, ReleaseState) {
        let record = try await lock(key, in: transaction)
        return (record, try ContractCoding.decode(ReleaseState.self, from: record.state))
    }

    /// Loads a release and locks its row until the transaction ends, so commands on one
    /// release apply one after another (and its events leave in that order).
    public func lock(_ key: String, in transaction: PostgresTransaction) async throws -> ReleaseRecord {
        try Self.locked(try await transaction.query(lockQuery(key), label: "lock release"), key: key)
    }

    /// The statement of ``lock(_:in:)``, for a caller that sends it with others in one round trip.
    public func lockQuery(_ key: String) -> PostgresQuery {
        """
        SELECT key, title, description, type, impact, urgency, priority, risk, justification, requester,
               coordinator, scheduled_start, scheduled_end, target_date::timestamp AT TIME ZONE 'UTC' AS target_date,
               template, job_plan_name, phase, status, state::text, version, audit_seq, audit_mac
        FROM \(identifier: schema).releases WHERE key = \(key) FOR UPDATE
        """
    }

    /// The release in the rows of ``lockQuery(_:)``; `notFound` when there are none.
    public static func locked(_ rows: PostgresRows, key: String) throws -> ReleaseRecord {
        guard let row = rows.first else {
            throw CommandError(.notFound, "release \(key) does not exist", rule: "releases.exists")
        }
        func text(_ column: String) throws -> String { try row.decode(column, as: String.self) }
        var record = ReleaseRecord(
            key: try text("key"), title: try text("title"), description: try text("description"), type: try text("type"),
            impact: try text("impact"), urgency: try text("urgency"), priority: try text("priority"), risk: try text("risk"),
            justification: try text("justification"), requester: try text("requester"),
            coordinator: try text("coordinator"),
            scheduledStart: try row.decode("scheduled_start", as: Date?.self),
            scheduledEnd: try row.decode("scheduled_end", as: Date?.self),
            targetDate: try row.decode("target_date", as: Date?.self),
            template: try row.decode("template", as: String?.self),
            jobPlanName: try row.decode("job_plan_name", as: String?.self),
            phase: try text("phase"), status: try text("status"), state: Data(try text("state").utf8),
            version: try row.decode("version", as: Int.self))
        record.auditSeq = try row.decode("audit_seq", as: Int.self)
        record.auditMAC = try text("audit_mac")
        return record
    }

    /// Writes a locked release back, with its audit head; `record.version` must be the version loaded.
    /// Queued (``PostgresTransaction/enqueue(_:label:check:)``): the version check runs when
    /// it reaches the server, and fails the transaction then.
    public func save(_ record: ReleaseRecord, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            """
            UPDATE \(identifier: schema).releases SET
                title = \(record.title), description = \(record.description), type = \(record.type),
                impact = \(record.impact), urgency = \(record.urgency), priority = \(record.priority), risk = \(record.risk),
                justification = \(record.justification), coordinator = \(record.coordinator),
                scheduled_start = \(record.scheduledStart), scheduled_end = \(record.scheduledEnd),
                target_date = (\(record.targetDate)::timestamptz AT TIME ZONE 'UTC')::date, job_plan_name = \(record.jobPlanName),
                phase = \(record.phase), status = \(record.status), state = convert_from(\(record.state), 'UTF8')::jsonb,
                audit_seq = \(record.auditSeq), audit_mac = \(record.auditMAC), version = version + 1, updated_at = now()
            WHERE key = \(record.key) AND version = \(record.version)
            """, label: "save release", check: Self.oneRowSaved(record.key))
    }

    /// The check of a queued release save: the row still had the version read, so exactly
    /// one row changed; otherwise someone saved it meanwhile.
    static func oneRowSaved(_ key: String) -> @Sendable (PostgresRows) throws -> Void {
        { rows in
            guard rows.affectedRows == 1 else {
                throw CommandError(.conflict, "release \(key) was changed meanwhile; reload and retry", rule: "releases.version")
            }
        }
    }
}
