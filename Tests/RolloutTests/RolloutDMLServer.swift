import BuildCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Images
import TestingCore

/// shipboard-testing's real ``DMLDownloadRouter`` on a loopback port, serving one real image
/// built by shipboard-build's ``ImageBuilder`` (``DriverImages/passing`` with changes): what
/// the rollout replicas of a process test fetch.
struct RolloutDMLServer {
    struct Catalog: DMLCatalog {
        let entry: DMLDownloadable

        func downloadable(name: String, version: String) async throws -> DMLDownloadable? { nil }
        func downloadable(sha256: String) async throws -> DMLDownloadable? { sha256 == entry.sha256 ? entry : nil }
    }

    let store: DirectoryImageStore
    let sha256: String
    let size: Int64

    /// Builds the image into `<folder>/dml`.
    init(folder: String, changes: [String: String?] = [:]) throws {
        let attempt = try DriverImages.attempt(in: folder, changes: changes)
        store = try DirectoryImageStore(root: folder + "/dml")
        let digest = try store.add(fileAt: attempt.image.archive, expected: nil)
        sha256 = digest.hex
        size = Int64((try FileManager.default.attributesOfItem(atPath: attempt.image.archive)[.size] as? NSNumber)?.int64Value ?? 0)
    }

    /// Serves it while `body` runs, given the base URL.
    func serve<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let catalog = Catalog(entry: .init(sha256: sha256, size: size, isAvailable: true))
        let router = DMLDownloadRouter(catalog: catalog, store: store, token: DMLBearerToken(DMLFetchServer.token)).router()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port ?? 0)")
        }
    }
}
