import Contracts
import Foundation
import Postgres

/// What shipboard-rollout reads from planning's schema (planning alone writes it): the
/// release's phase and status, its affected CIs, and the CMDB the planner works from.
public struct PlanningReader: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The release's phase and status, or a not-found refusal.
    public func release(_ key: String, in transaction: PostgresTransaction) async throws -> (phase: ReleasePhase, status: ReleaseStatus) {
        guard let row = try await transaction.query(
            "SELECT phase, status FROM \(identifier: schema).releases WHERE key = \(key)", label: "load release phase"
        ).first else {
            throw CommandError(.notFound, "release \(key) does not exist", rule: "rollout.release_not_found")
        }
        let (phase, status) = try row.decode((String, String).self)
        return (ReleasePhase(rawValue: phase), ReleaseStatus(rawValue: status))
    }

    /// The CIs the release's changes affect, in key order.
    public func affectedCIs(of releaseKey: String, in transaction: PostgresTransaction) async throws -> [String] {
        try await transaction.query(
            """
            SELECT DISTINCT ci FROM \(identifier: schema).release_changes, unnest(affected_cis) AS ci
            WHERE release_key = \(releaseKey) ORDER BY ci
            """, label: "load affected CIs"
        ).map { try $0.decode(at: 0, as: String.self) }
    }

    /// Every CI and relationship: the planner selects from all of them.
    public func inventory(in transaction: PostgresTransaction) async throws -> RolloutInventory {
        let items = try await transaction.query(
            "SELECT key, class, site, attributes::text FROM \(identifier: schema).configuration_items ORDER BY key",
            label: "load CMDB items"
        ).map { row in
            let (key, ciClass, site, attributes) = try row.decode((String, String, String?, String).self)
            return RolloutInventory.Item(key: key, ciClass: CIClass(rawValue: ciClass), site: site, attributes: Self.attributes(attributes))
        }
        let relationships = try await transaction.query(
            """
            SELECT s.key, r.kind, t.key FROM \(identifier: schema).ci_relationships r
            JOIN \(identifier: schema).configuration_items s ON s.id = r.source_id
            JOIN \(identifier: schema).configuration_items t ON t.id = r.target_id
            """, label: "load CMDB relationships"
        ).map { row in
            let (source, kind, target) = try row.decode((String, String, String).self)
            return RolloutInventory.Relationship(source: source, kind: CIRelationshipKind(rawValue: kind), target: target)
        }
        return RolloutInventory(items: items, relationships: relationships)
    }

    /// The attributes of the given CIs (what a driver reads: `host`, `port`, `user`).
    public func attributes(of keys: [String], in transaction: PostgresTransaction) async throws -> [String: [String: String]] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: [String: String]] = [:]
        for row in try await transaction.query(
            """
            SELECT key, attributes::text FROM \(identifier: schema).configuration_items
            WHERE key = ANY(\(bind: PostgresArrayBind.texts(keys)))
            """, label: "load target attributes") {
            let (key, attributes) = try row.decode((String, String).self)
            found[key] = Self.attributes(attributes)
        }
        return found
    }

    /// String-valued attributes (others are not something a driver or a tag can use).
    static func attributes(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}

/// What shipboard-rollout reads from testing's schema: the DML entry a release rolls out.
public struct DMLReader: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The release's latest available DML entry, or a conflict: nothing to roll out yet.
    public func acceptedImage(of releaseKey: String, in transaction: PostgresTransaction) async throws -> RolloutImage {
        guard let row = try await transaction.query(
            """
            SELECT name, version, sha256 FROM \(identifier: schema).dml_entries
            WHERE release_key = \(releaseKey) AND state = 'available' ORDER BY accepted_at DESC, id DESC LIMIT 1
            """, label: "load accepted image"
        ).first else {
            throw CommandError(
                .conflict, "release \(releaseKey) has no image accepted into the DML yet: test and accept one first",
                rule: "rollout.no_accepted_image")
        }
        let (name, version, sha256) = try row.decode((String, String, String).self)
        return RolloutImage(name: name, version: version, sha256: sha256)
    }
}
