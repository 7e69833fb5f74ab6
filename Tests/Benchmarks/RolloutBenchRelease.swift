import Foundation
import Postgres

/// A release ready to roll out to `servers` server CIs spread evenly over `sites` sites,
/// written straight into the benchmark database as planning and testing would have left it:
/// the release deploying, one source CI and the servers in the CMDB, the change affecting
/// them, a passed test run and the image accepted into the DML.
///
/// The CMDB tables are shared by every run on the database, so CI keys and site names carry
/// a tag of their own (`CI-H<tag>-<site><number>`, within `^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$`),
/// and a site selection finds only this release's servers.
struct RolloutBenchRelease {
    let releaseKey: String
    let source: String
    let sites: [String]
    let servers: Int

    init(servers: Int, sites siteCount: Int) {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        let tag = String((0..<7).map { _ in alphabet.randomElement()! })
        releaseKey = "REL-8\(Int.random(in: 100_000...999_999))"
        source = "CI-S\(tag)-0001"
        sites = (1...siteCount).map { "bench-dc\($0)-\(tag.lowercased())" }
        self.servers = servers
        serverKeys = (0..<servers).map { index in
            // Site digit, then the number within the site: unique and in the key pattern.
            "CI-H\(tag)-\(index % siteCount + 1)\(String(format: "%06d", index / siteCount + 1))"
        }
    }

    /// Server CI keys; server `i` sits at site `i % sites.count`.
    let serverKeys: [String]

    /// One statement: every row the planner and the start read, and nothing else.
    func insert(owner: PostgresPool) async throws {
        let sha256 = String(repeating: "b", count: 64)
        let keys = [source] + serverKeys
        let classes = ["software"] + serverKeys.map { _ in "server" }
        let siteOf = [""] + serverKeys.indices.map { sites[$0 % sites.count] }
        _ = try await owner.query(
            """
            WITH release AS (
                INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status)
                VALUES (\(releaseKey), 'rollout benchmark', 'minor', 'medium', 'medium', 'moderate', 'bench-rita', 'bench-carl',
                        'deploy', 'in_progress')
                RETURNING key
            ), items AS (
                INSERT INTO planning.configuration_items (key, name, class, site)
                SELECT k, k, c, nullif(s, '') FROM unnest(\(bind: PostgresArrayBind.texts(keys)), \(bind: PostgresArrayBind.texts(classes)),
                                                        \(bind: PostgresArrayBind.texts(siteOf))) AS u(k, c, s)
            ), change AS (
                INSERT INTO planning.release_changes (release_key, external_id, title, status, risk, affected_cis, added_by)
                SELECT key, 'CHG-BENCH', 'roll it out', 'approved', 'low', \(bind: PostgresArrayBind.texts(keys)), 'bench-rita' FROM release
            ), tested AS (
                INSERT INTO testing.test_runs (run_uuid, release_key, task_key, build_id, image_sha256, outcome, passed, failed,
                                               requested_by, started_at)
                SELECT \(UUID()), key, 'test', 1, \(sha256), 'passed', 1, 0, 'bench-tess', now() FROM release
                RETURNING id, release_key
            )
            INSERT INTO testing.dml_entries (name, version, sha256, size, release_key, build_id, test_run_id, accepted_by)
            SELECT \("bench-app-" + releaseKey.lowercased()), '1.0.0', \(sha256), 1, release_key, 1, id, 'bench-tess' FROM tested
            """)
    }
}
