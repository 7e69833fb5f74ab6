import Contracts
import Foundation
import Postgres

/// The change requests of releases (table `<schema>.release_changes`).
public struct ReleaseChanges: Sendable {
    public let schema: String

    public init(schema: String = PlanningSchema.name) {
        self.schema = schema
    }

    /// Adds an approved change to a release, in the caller's transaction.
    public func add(_ change: ChangeRequest, to releaseKey: String, by actor: String, in transaction: PostgresTransaction) async throws {
        try change.validateForRelease()
        // No existence query first: the handlers have the release locked already, and the
        // foreign key answers for an unknown one.
        let inserted: PostgresRows
        do {
            inserted = try await transaction.query(
                """
                INSERT INTO \(identifier: schema).release_changes
                    (release_key, external_id, title, status, risk, affected_cis, added_by)
                VALUES (\(releaseKey), \(change.externalID), \(change.title), \(change.status.rawValue), \(change.risk.rawValue),
                        ARRAY(SELECT jsonb_array_elements_text(\(json: change.affectedCIs)::jsonb)), \(actor))
                ON CONFLICT (release_key, external_id) DO NOTHING
                """, label: "add change")
        } catch {
            guard error.postgresError?.code == .foreignKeyViolation else { throw error }
            throw CommandError(.notFound, "release \(releaseKey) does not exist", rule: "releases.exists")
        }
        guard inserted.affectedRows == 1 else {
            throw CommandError(.conflict, "change \(change.externalID) is already part of \(releaseKey)", rule: "changes.unique")
        }
    }

    /// Removes a change from a release.
    public func remove(_ externalID: String, from releaseKey: String, in transaction: PostgresTransaction) async throws {
        let deleted = try await transaction.query(
            "DELETE FROM \(identifier: schema).release_changes WHERE release_key = \(releaseKey) AND external_id = \(externalID)",
            label: "remove change")
        guard deleted.affectedRows == 1 else {
            throw CommandError(.notFound, "change \(externalID) is not part of \(releaseKey)", rule: "changes.exists")
        }
    }

    /// The sites of the CIs the release's changes affect (each CI's `site`), sorted: where
    /// the release is rolled out, so where sites are prepared.
    public func sites(of releaseKey: String, in transaction: PostgresTransaction) async throws -> [String] {
        let rows = try await transaction.query(
            """
            SELECT DISTINCT c.site FROM \(identifier: schema).release_changes r
            CROSS JOIN LATERAL unnest(r.affected_cis) AS affected(key)
            JOIN \(identifier: schema).configuration_items c ON c.key = affected.key
            WHERE r.release_key = \(releaseKey) AND c.site IS NOT NULL AND c.site <> ''
            ORDER BY c.site
            """, label: "release sites")
        return try rows.map { try $0.decode(at: 0, as: String.self) }
    }

    /// The changes of a release, oldest first.
    public func list(_ releaseKey: String, pool: PostgresPool) async throws -> [ChangeRequest] {
        let rows = try await pool.query(
            """
            SELECT external_id, title, status, risk, array_to_json(affected_cis)::text
            FROM \(identifier: schema).release_changes WHERE release_key = \(releaseKey) ORDER BY added_at, external_id
            """)
        return try rows.map { row in
            let (id, title, status, risk, cis) = try row.decode((String, String, String, String, String).self)
            // A stored word this version does not know fails loudly: never shown as a guess.
            guard let status = ChangeRequest.Status(rawValue: status), let risk = ChangeRequest.Risk(rawValue: risk) else {
                throw Self.unknownStoredValue(of: releaseKey)
            }
            return ChangeRequest(
                externalID: id, title: title, status: status, risk: risk,
                affectedCIs: try JSONDecoder().decode([String].self, from: Data(cis.utf8)))
        }
    }

    /// Changes as the release detail aggregates them in its own statement (a JSON array of
    /// ``ChangeRequest``, in the order they were added).
    static func decode(aggregated json: String, of releaseKey: String) throws -> [ChangeRequest] {
        do {
            return try JSONDecoder().decode([ChangeRequest].self, from: Data(json.utf8))
        } catch {
            throw unknownStoredValue(of: releaseKey)
        }
    }

    /// A stored status or risk this version does not know fails loudly: never shown as a guess.
    static func unknownStoredValue(of releaseKey: String) -> CommandError {
        CommandError(
            .internal, "a stored change of \(releaseKey.prefix(40)) has a status or risk this version does not know",
            rule: "changes.stored_values")
    }
}
