import Contracts
import Postgres

/// Test runs as acceptance reads them (`<schema>.test_runs` with the build that made the
/// image, from shipboard-build's tables, read only) and `<schema>.acceptances`, inside the
/// caller's transaction.
public struct AcceptanceRepository: Sendable {
    public let schema: String
    public let buildSchema: String

    public init(schema: String, buildSchema: String) {
        self.schema = schema
        self.buildSchema = buildSchema
    }

    /// Run `runId` of the release, or its latest run when `runId` is nil; refused as not found
    /// when there is none (a run of another release is not found either).
    public func candidate(releaseKey: String, runId: Int64?, in transaction: PostgresTransaction) async throws -> AcceptanceCandidate {
        let rows = try await transaction.query(
            """
            SELECT r.id, r.build_id, r.image_sha256, r.failed, a.decision,
                   b.size, b.manifest->>'name', b.manifest->>'version', b.requested_by, s.saved_by
            FROM \(identifier: schema).test_runs r
            LEFT JOIN \(identifier: schema).acceptances a ON a.run_id = r.id
            LEFT JOIN \(identifier: buildSchema).image_builds b ON b.id = r.build_id AND b.sha256 = r.image_sha256
            LEFT JOIN \(identifier: buildSchema).image_specs s ON s.release_key = r.release_key
            WHERE r.release_key = \(releaseKey) AND (\(runId)::bigint IS NULL OR r.id = \(runId))
            ORDER BY r.id DESC LIMIT 1
            """, label: "load acceptance candidate")
        guard let row = rows.first else {
            let what = runId.map { "no test run \($0) of \(releaseKey)" } ?? "\(releaseKey) has no test run yet"
            throw CommandError(.notFound, what, rule: "acceptance.run_unknown", fields: ["runId": "unknown"])
        }
        let id = try row.decode(at: 0, as: Int64.self), buildId = try row.decode(at: 1, as: Int64.self)
        let sha256 = try row.decode(at: 2, as: String.self), failed = try row.decode(at: 3, as: Int.self)
        let decision = try row.decode(at: 4, as: String?.self)
        guard let size = try row.decode(at: 5, as: Int64?.self), let name = try row.decode(at: 6, as: String?.self),
              let version = try row.decode(at: 7, as: String?.self)
        else {
            throw CommandError(.conflict, "build \(buildId) of run \(id) is not recorded as having built this image", rule: "acceptance.build_unknown")
        }
        let makers = [try row.decode(at: 8, as: String?.self), try row.decode(at: 9, as: String?.self)].compactMap { $0 }
        return AcceptanceCandidate(
            runId: id, releaseKey: releaseKey, buildId: buildId, imageSha256: sha256, size: size, name: name, version: version,
            failed: failed, decision: decision, makers: makers)
    }

    /// Records the decision on a run (`accepted` or `rejected`), with who and why.
    public func record(
        _ decision: String, on candidate: AcceptanceCandidate, by actor: String, reason: String?, in transaction: PostgresTransaction
    ) async throws {
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).acceptances (release_key, run_id, decision, decided_by, reason)
            VALUES (\(candidate.releaseKey), \(candidate.runId), \(decision), \(actor), \(reason))
            """, label: "record acceptance decision")
    }
}
