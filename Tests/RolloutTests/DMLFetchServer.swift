import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Images
import Synchronization
import TestingCore

/// shipboard-testing's real ``DMLDownloadRouter`` served by Hummingbird on a loopback port,
/// over a store folder: what the DML fetcher downloads from in its tests. Beside it, under
/// `/moved`, a route that answers every request with a redirect to the real one.
struct DMLFetchServer {
    /// The catalog: which digests the DML holds, and whether they are retired.
    struct Catalog: DMLCatalog {
        let entries: [String: DMLDownloadable]

        func downloadable(name: String, version: String) async throws -> DMLDownloadable? { nil }
        func downloadable(sha256: String) async throws -> DMLDownloadable? { entries[sha256] }
    }

    static let token = "dml-fetch-token-\(UUID().uuidString)"

    let folder: String
    let store: DirectoryImageStore
    /// A 300 KB archive the DML holds, and one it retired.
    let bytes: Data
    let digest: ImageDigest
    let retired: ImageDigest
    /// How many requests reached the redirect route.
    let redirects = Count()

    final class Count: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var current: Int { value.withLock { $0 } }
    }

    init(folder: String) throws {
        self.folder = folder
        store = try DirectoryImageStore(root: folder + "/dml")
        bytes = Data((0..<300_000).map { _ in UInt8.random(in: 0...255) })
        digest = try Self.add(bytes, to: store, folder: folder)
        retired = try Self.add(Data("retired".utf8), to: store, folder: folder)
    }

    private static func add(_ bytes: Data, to store: DirectoryImageStore, folder: String) throws -> ImageDigest {
        let source = folder + "/source-\(UUID().uuidString)"
        try bytes.write(to: URL(fileURLWithPath: source))
        return try store.add(fileAt: source, expected: nil)
    }

    /// Replaces the stored bytes of ``digest`` (the store keeps them read-only) with `bytes`.
    func tamper(_ bytes: Data) throws {
        let path = try store.path(of: digest)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// Serves the routes on `127.0.0.1:<free port>` while `body` runs, given the server's base URL.
    func serve<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let catalog = Catalog(entries: [
            digest.hex: .init(sha256: digest.hex, size: Int64(bytes.count), isAvailable: true),
            retired.hex: .init(sha256: retired.hex, size: 7, isAvailable: false),
        ])
        let router = DMLDownloadRouter(catalog: catalog, store: store, token: DMLBearerToken(Self.token)).router()
        let redirects = redirects
        router.get("/moved/dml/sha256/:digest") { _, context -> Response in
            redirects.add()
            let location = "/dml/sha256/\(context.parameters.get("digest") ?? "")"
            return Response(status: .found, headers: [.location: location])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port ?? 0)")
        }
    }
}
