import Foundation
import Postgres
import ShipboardTestSupport

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
            try await RolloutReleaseSeed.insertCIs(sources: sources, servers: servers, in: transaction)
            try await RolloutReleaseSeed.insertRelease(
                releaseKey, affecting: sources + targetKeys, image: imageName, version: "1.0.0", sha256: sha256, size: size, in: transaction)
        }
    }

    /// Another release of these CIs (they must be inserted already), its image `sha256` accepted
    /// into the DML as version `version`: several releases roll out to the same targets.
    func insertRelease(_ releaseKey: String, version: String, sha256: String, size: Int64, owner: PostgresPool) async throws {
        try await owner.withTransaction { transaction in
            try await RolloutReleaseSeed.insertRelease(
                releaseKey, affecting: sources + targetKeys, image: imageName, version: version, sha256: sha256, size: size, in: transaction)
        }
    }
}
