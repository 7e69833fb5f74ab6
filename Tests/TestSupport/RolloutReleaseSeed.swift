import Foundation
import Postgres

/// A release ready to roll out, written as the owner into planning's and testing's tables (as
/// those services would have): deploying and in progress, one source CI and two servers at
/// each of three sites of its own, an approved change affecting them, and an accepted DML
/// entry. What shipboard-rollout reads to plan and start a rollout; shared by the suites that
/// drive shipboard-rollout from outside (the gateway's, the rollout service's own).
public struct RolloutReleaseSeed: Sendable {
    public let releaseKey = "REL-8\(Int.random(in: 1_000_000...9_999_999))"
    /// Unique per seed: in every CI key, site and the image's name.
    public let tag = String(UUID().uuidString.filter(\.isLetter).prefix(6))
    public var source: String { "CI-S\(tag)-0001" }
    public var sites: [String] { ["east", "north", "west"].map { "\($0)-\(tag.lowercased())" } }
    /// The accepted DML entry's name (version 1.0.0).
    public var imageName: String { "gw-\(tag.lowercased())" }
    /// Two servers per site.
    public var servers: [(key: String, site: String)] {
        sites.enumerated().flatMap { index, site in
            (1...2).map { ("CI-H\(tag)-\(String(format: "%04d", index * 10 + $0))", site) }
        }
    }

    public init() {}

    public func insert() async throws {
        let url = try TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")
        try await MigrationGate.shared.ensureMigrated(try PostgresConfiguration(url: url))
        let owner = PostgresPool(configuration: try PostgresConfiguration(url: url), maxConnections: 1)
        defer { Task { await owner.close() } }
        let sha256 = String(repeating: "cd", count: 32)
        try await owner.withTransaction { transaction in
            try await Self.insertCIs(sources: [source], servers: servers, in: transaction)
            try await Self.insertRelease(
                releaseKey, affecting: [source] + servers.map(\.key), image: imageName, version: "1.0.0", sha256: sha256, size: 10,
                in: transaction)
        }
    }

    /// Source CIs (class software, at no site) and servers at their sites, in one statement.
    public static func insertCIs(sources: [String], servers: [(key: String, site: String)], in transaction: PostgresTransaction) async throws {
        let keys = sources + servers.map(\.key)
        let classes = sources.map { _ in "software" } + servers.map { _ in "server" }
        let sites = sources.map { _ in "" } + servers.map(\.site)
        _ = try await transaction.query(
            """
            INSERT INTO planning.configuration_items (key, name, class, site)
            SELECT k, k, c, nullif(s, '') FROM unnest(\(bind: PostgresArrayBind.texts(keys)), \(bind: PostgresArrayBind.texts(classes)),
                                                    \(bind: PostgresArrayBind.texts(sites))) AS u(k, c, s)
            """)
    }

    /// A release deploying and in progress whose approved change affects `cis`, and its image
    /// accepted into the DML as `image@version` (with the passed test run acceptance needs).
    public static func insertRelease(
        _ releaseKey: String, affecting cis: [String], image: String, version: String, sha256: String, size: Int64,
        in transaction: PostgresTransaction
    ) async throws {
        _ = try await transaction.query(
            """
            INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status)
            VALUES (\(releaseKey), 'rollout test', 'minor', 'medium', 'medium', 'moderate', 'rita', 'carl', 'deploy', 'in_progress')
            """)
        _ = try await transaction.query(
            """
            INSERT INTO planning.release_changes (release_key, external_id, title, status, risk, affected_cis, added_by)
            VALUES (\(releaseKey), 'CHG-1', 'roll it out', 'approved', 'low', \(bind: PostgresArrayBind.texts(cis)), 'rita')
            """)
        let run = try await transaction.query(
            """
            INSERT INTO testing.test_runs (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed,
                                           requested_by, started_at)
            VALUES (\(UUID()), \(releaseKey), 'test', 1, \(sha256), 'passed', 1, 0, 'tess', now()) RETURNING id
            """).single().decode(at: 0, as: Int64.self)
        _ = try await transaction.query(
            """
            INSERT INTO testing.dml_entries (name, version, sha256, size, release_key, build_id, test_run_id, accepted_by)
            VALUES (\(image), \(version), \(sha256), \(size), \(releaseKey), 1, \(run), 'tess')
            """)
    }
}
