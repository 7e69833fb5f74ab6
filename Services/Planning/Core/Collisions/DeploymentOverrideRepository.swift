import Contracts
import Foundation
import Postgres

/// Reads and writes `<schema>.deployment_overrides`: the one override on record per release.
public struct DeploymentOverrideRepository: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Records `override` for the release, replacing the one before.
    public func save(_ override: DeploymentOverride, releaseKey: String, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            INSERT INTO \(identifier: schema).deployment_overrides
                (release_key, actor, reason, scheduled_start, scheduled_end, windows, releases, recorded_at)
            VALUES (\(releaseKey), \(override.actor), \(override.reason), \(override.scheduledStart), \(override.scheduledEnd),
                    \(bind: PostgresArrayBind.uuids(override.windows.sorted { $0.uuidString < $1.uuidString })),
                    \(bind: PostgresArrayBind.texts(override.releases.sorted())), \(override.recordedAt))
            ON CONFLICT (release_key) DO UPDATE SET actor = excluded.actor, reason = excluded.reason,
                scheduled_start = excluded.scheduled_start, scheduled_end = excluded.scheduled_end,
                windows = excluded.windows, releases = excluded.releases, recorded_at = excluded.recorded_at
            """, label: "save deployment override")
    }

    /// The override on record for the release, if any (whatever schedule it was given for).
    public func override(of releaseKey: String, in transaction: PostgresTransaction) async throws -> DeploymentOverride? {
        try await transaction.query(
            """
            SELECT actor, reason, scheduled_start, scheduled_end, to_json(windows)::text, to_json(releases)::text, recorded_at
            FROM \(identifier: schema).deployment_overrides WHERE release_key = \(releaseKey)
            """, label: "deployment override"
        ).first.map { row in
            DeploymentOverride(
                actor: try row.decode(at: 0, as: String.self), reason: try row.decode(at: 1, as: String.self),
                scheduledStart: try row.decode(at: 2, as: Date?.self), scheduledEnd: try row.decode(at: 3, as: Date?.self),
                windows: Set(try row.decode(at: 4, as: PostgresJSON<[UUID]>.self).value),
                releases: Set(try row.decode(at: 5, as: PostgresJSON<[String]>.self).value),
                recordedAt: try row.decode(at: 6, as: Date.self))
        }
    }
}
