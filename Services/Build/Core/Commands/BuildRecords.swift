import Foundation
import Images
import Postgres

/// `<schema>.image_builds`: every build's outcome, inside the caller's transaction.
struct BuildRecords: Sendable {
    let schema: String

    func recordBuilt(
        _ built: ImageBuilder.Built, release: String, task: String, revision: Int, by actor: String,
        in transaction: PostgresTransaction
    ) async throws {
        let manifest = String(decoding: try built.manifest.encoded(), as: UTF8.self)
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).image_builds
                (release_key, task_key, spec_revision, outcome, sha256, size, manifest, requested_by)
            VALUES (\(release), \(task), \(revision), 'built', \(built.sha256), \(built.size), \(manifest)::jsonb, \(actor))
            """, label: "record image built")
    }

    func recordFailed(
        _ reason: String, release: String, task: String, revision: Int?, by actor: String, in transaction: PostgresTransaction
    ) async throws {
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).image_builds (release_key, task_key, spec_revision, outcome, reason, requested_by)
            VALUES (\(release), \(task), \(revision), 'failed', \(reason), \(actor))
            """, label: "record image build failed")
    }
}
