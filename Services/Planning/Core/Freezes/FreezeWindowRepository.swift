import Contracts
import Foundation
import Postgres

/// Reads and writes `<schema>.freeze_windows`. A stored window is read back through
/// ``FreezeWindow``'s checks, so a row edited by hand into nonsense is an error, not a freeze
/// that silently never matches.
public struct FreezeWindowRepository: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Inserts `window`, or replaces the stored one with its id; true when it was new.
    @discardableResult
    public func save(_ window: FreezeWindow, by actor: String, in transaction: PostgresTransaction) async throws -> Bool {
        let scope = window.scope
        return try await transaction.query(
            """
            INSERT INTO \(identifier: schema).freeze_windows (id, name, kind, time_zone, schedule, sites, ci_classes, saved_by)
            VALUES (\(window.id), \(window.name), \(window.kind.rawValue), \(window.timeZone.identifier),
                    \(json: window.scheduleInput)::jsonb, \(bind: PostgresArrayBind.texts(scope.sites.sorted())),
                    \(bind: PostgresArrayBind.texts(scope.ciClasses.map(\.rawValue).sorted())), \(actor))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, time_zone = excluded.time_zone,
                schedule = excluded.schedule, sites = excluded.sites, ci_classes = excluded.ci_classes,
                saved_by = excluded.saved_by, saved_at = now()
            RETURNING (xmax = 0)
            """, label: "save freeze window").single().decode(at: 0, as: Bool.self)
    }

    /// Deletes the window with `id`; returns its name, or nil when there was none.
    public func delete(_ id: UUID, in transaction: PostgresTransaction) async throws -> String? {
        try await transaction.query(
            "DELETE FROM \(identifier: schema).freeze_windows WHERE id = \(id) RETURNING name", label: "delete freeze window"
        ).first?.decode(at: 0, as: String.self)
    }

    /// Every window, by name; `kind` limits them to blackouts or maintenance windows.
    public func all(kind: FreezeWindow.Kind? = nil, in transaction: PostgresTransaction) async throws -> [FreezeWindow] {
        try await transaction.query(
            """
            SELECT id, name, kind, time_zone, schedule::text, to_json(sites)::text, to_json(ci_classes)::text
            FROM \(identifier: schema).freeze_windows
            WHERE \(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue) ORDER BY name, id
            """, label: "freeze windows").map(Self.decode)
    }

    private static func decode(_ row: PostgresRow) throws -> FreezeWindow {
        let schedule = try row.decode(at: 4, as: PostgresJSON<FreezeScheduleInput>.self).value
        return try FreezeWindow(
            SaveFreezeWindow(
                name: try row.decode(at: 1, as: String.self), kind: try row.decode(at: 2, as: String.self),
                timeZone: try row.decode(at: 3, as: String.self), schedule: schedule,
                sites: try row.decode(at: 5, as: PostgresJSON<[String]>.self).value,
                ciClasses: try row.decode(at: 6, as: PostgresJSON<[String]>.self).value),
            id: try row.decode(at: 0, as: UUID.self))
    }
}
