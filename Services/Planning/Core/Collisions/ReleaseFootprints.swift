import Contracts
import Foundation
import Postgres

/// Reads releases' footprints (schedule and impact set) in the caller's transaction, so a
/// command sees its own changes (a change just added counts) and decides on what it locked.
///
/// The impact set here is the one ``CIRepository/impactSet(changedCIKeys:)`` defines, less the
/// site CIs reached over `located_at`: two releases touching different servers at one site do
/// not collide for sharing the site. The sites a deployment touches come from its CIs' `site`.
/// The walk uses index lookups, several releases in one query; the snapshot cache serves
/// reads outside transactions.
public struct ReleaseFootprints: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// The footprint of the release.
    public func footprint(of release: ReleaseSchedule, in transaction: PostgresTransaction) async throws -> ReleaseFootprint {
        var footprints = [ReleaseFootprint(key: release.key, title: release.title, scheduledStart: release.start, scheduledEnd: release.end)]
        try await fillImpact(of: &footprints, in: transaction)
        return footprints[0]
    }

    /// The release's collisions with the other in-flight releases (not finished, scheduled,
    /// windows overlapping its own).
    public func collisions(of footprint: ReleaseFootprint, in transaction: PostgresTransaction) async throws -> [ReleaseCollision] {
        guard let window = footprint.window, !footprint.impact.isEmpty else { return [] }
        let finished = ReleaseStatus.allCases.filter(\.isTerminal).map(\.rawValue)
        var others = try await transaction.query(
            """
            SELECT key, title, scheduled_start, scheduled_end FROM \(identifier: schema).releases
            WHERE key <> \(footprint.key) AND scheduled_start IS NOT NULL AND scheduled_end IS NOT NULL
              AND NOT (status = ANY(\(bind: PostgresArrayBind.texts(finished))::text[]))
              AND scheduled_start < \(window.end)
              AND scheduled_end + make_interval(secs => \(ReleaseFootprint.minimumWindow)) > \(window.start)
            ORDER BY key LIMIT 1000
            """, label: "releases overlapping a window"
        ).map { row in
            ReleaseFootprint(key: try row.decode(at: 0, as: String.self), title: try row.decode(at: 1, as: String.self),
                             scheduledStart: try row.decode(at: 2, as: Date.self), scheduledEnd: try row.decode(at: 3, as: Date.self))
        }
        guard !others.isEmpty else { return [] }
        try await fillImpact(of: &others, in: transaction)
        return ReleaseCollision.collisions(of: footprint, with: others)
    }

    /// The schedule of release `key`, read without locking it; `notFound` for an unknown release.
    public func schedule(of key: String, in transaction: PostgresTransaction) async throws -> ReleaseSchedule {
        guard let row = try await transaction.query(
            "SELECT title, scheduled_start, scheduled_end FROM \(identifier: schema).releases WHERE key = \(key)", label: "release schedule"
        ).first else { throw ReleaseQueries.unknownRelease(key) }
        return ReleaseSchedule(key: key, title: try row.decode(at: 0, as: String.self), start: try row.decode(at: 1, as: Date?.self),
                               end: try row.decode(at: 2, as: Date?.self))
    }

    /// Fills the impact, sites and CI classes of `footprints` in one walk.
    private func fillImpact(of footprints: inout [ReleaseFootprint], in transaction: PostgresTransaction) async throws {
        let rows = try await transaction.query(
            """
            WITH RECURSIVE reached(release_key, id) AS (
                SELECT DISTINCT rc.release_key, c.id
                FROM \(identifier: schema).release_changes rc CROSS JOIN LATERAL unnest(rc.affected_cis) AS changed(key)
                JOIN \(identifier: schema).configuration_items c ON c.key = changed.key
                WHERE rc.release_key = ANY(\(bind: PostgresArrayBind.texts(footprints.map(\.key)))::text[])
                UNION
                SELECT reached.release_key, step.id FROM reached CROSS JOIN LATERAL (
                    SELECT r.source_id AS id FROM \(identifier: schema).ci_relationships r
                    WHERE r.target_id = reached.id
                      AND r.kind = ANY(\(bind: PostgresArrayBind.texts(CIRelationshipKind.dependencyKinds.map(\.rawValue)))::text[])
                    UNION ALL
                    SELECT r.target_id FROM \(identifier: schema).ci_relationships r
                    WHERE r.source_id = reached.id AND r.kind = \(CIRelationshipKind.partOf.rawValue)
                ) AS step
            )
            SELECT reached.release_key, c.key, c.class, c.site
            FROM reached JOIN \(identifier: schema).configuration_items c ON c.id = reached.id
            """, label: "release footprints")
        var positions: [String: Int] = [:]
        for (index, footprint) in footprints.enumerated() { positions[footprint.key] = index }
        for row in rows {
            guard let index = positions[try row.decode(at: 0, as: String.self)] else { continue }
            footprints[index].impact.insert(try row.decode(at: 1, as: String.self))
            footprints[index].ciClasses.insert(CIClass(rawValue: try row.decode(at: 2, as: String.self)))
            if let site = try row.decode(at: 3, as: String?.self) { footprints[index].sites.insert(site) }
        }
    }
}
