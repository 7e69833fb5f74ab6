import Foundation
import Postgres

/// A release ready to roll out, written straight into the real database as planning and
/// testing would have: the release in `deploy`, its CIs (sources and servers at sites), the
/// change that affects them, and its image accepted into the DML.
struct RolloutFixture {
    let releaseKey: String
    /// Random per fixture, so CI keys never clash between runs: `CI-S<tag>-0001`.
    let tag: String
    let sources: [String]
    /// Target CI keys with their sites, in key order.
    let servers: [(key: String, site: String)]
    let sites: [String]
    let imageName: String

    /// `sites`: each site with how many servers it holds.
    init(sources: Int = 2, sites: [(String, Int)]) {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        let tag = String((0..<6).map { _ in alphabet.randomElement()! })
        self.tag = tag
        releaseKey = "REL-9\(Int.random(in: 100_000...999_999))"
        // Sites carry the tag too: the CMDB is shared by every test, and a site selection
        // must find only this fixture's servers.
        self.sites = sites.map { "\($0.0)-\(tag)" }
        self.sources = (1...sources).map { "CI-S\(tag)-\(String(format: "%04d", $0))" }
        var servers: [(String, String)] = []
        for (siteIndex, entry) in sites.enumerated() {
            let (site, count) = ("\(entry.0)-\(tag)", entry.1)
            for number in 1...count {
                servers.append(("CI-H\(tag)-\(String(format: "%04d", siteIndex * 1000 + number))", site))
            }
        }
        self.servers = servers
        imageName = "app-\(tag.lowercased())"
    }

    var targetKeys: [String] { servers.map(\.key) }

    /// The fixture's name for site `short` (e.g. `FRA1` → `FRA1-QWERTY`).
    func site(_ short: String) -> String { "\(short)-\(tag)" }

    /// Writes the release, CIs, change, test run and DML entry for the image `sha256`.
    func insert(sha256: String, size: Int64, owner: PostgresPool) async throws {
        try await owner.withTransaction { transaction in
            let keys = sources + servers.map(\.key)
            let classes = sources.map { _ in "software" } + servers.map { _ in "server" }
            let sites = sources.map { _ in "" } + servers.map(\.site)
            _ = try await transaction.query(
                """
                INSERT INTO planning.configuration_items (key, name, class, site)
                SELECT k, k, c, nullif(s, '') FROM unnest(\(bind: PostgresArrayBind.texts(keys)), \(bind: PostgresArrayBind.texts(classes)),
                                                        \(bind: PostgresArrayBind.texts(sites))) AS u(k, c, s)
                """)
            try await insertRelease(releaseKey, version: "1.0.0", sha256: sha256, size: size, in: transaction)
        }
    }

    /// Another release of these CIs (they must be inserted already), its image `sha256` accepted
    /// into the DML as version `version`: several releases roll out to the same targets.
    func insertRelease(_ releaseKey: String, version: String, sha256: String, size: Int64, owner: PostgresPool) async throws {
        try await owner.withTransaction { transaction in
            try await insertRelease(releaseKey, version: version, sha256: sha256, size: size, in: transaction)
        }
    }

    private func insertRelease(_ releaseKey: String, version: String, sha256: String, size: Int64, in transaction: PostgresTransaction) async throws {
        let keys = sources + servers.map(\.key)
        _ = try await transaction.query(
            """
            INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status)
            VALUES (\(releaseKey), 'rollout test', 'minor', 'medium', 'medium', 'medium', 'rita', 'carl', 'deploy', 'in_progress')
            """)
        _ = try await transaction.query(
            """
            INSERT INTO planning.release_changes (release_key, external_id, title, status, risk, affected_cis, added_by)
            VALUES (\(releaseKey), 'CHG-1', 'roll it out', 'approved', 'low', \(bind: PostgresArrayBind.texts(keys)), 'rita')
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
            VALUES (\(imageName), \(version), \(sha256), \(size), \(releaseKey), 1, \(run), 'tess')
            """)
    }
}
