import AsyncHTTPClient
import Contracts
import Crypto
import Foundation
import Glibc
import Images
import RolloutCore
import Testing

/// The DML fetcher against the real download router on a loopback port: download and
/// cache, re-verification, a tampered archive, a wrong token, resume, redirects, a timeout.
@Suite("DML fetcher")
struct DMLFetchTests {
    /// A server over a fresh folder, a fetcher with its own cache and client, for `body`.
    static func withFetcher(
        token: String = DMLFetchServer.token, timeout: Duration = .seconds(30), path: String = "",
        _ body: @Sendable (DMLFetchServer, DMLFetcher) async throws -> Void
    ) async throws {
        try await DriverImages.withFolder { folder in
            let server = try DMLFetchServer(folder: folder)
            let client = DMLFetcher.makeClient()
            do {
                try await server.serve { base in
                    try await body(server, DMLFetcher(baseURL: base + path, token: token, cacheFolder: folder + "/cache", client: client, timeout: timeout))
                }
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    static func cached(_ fetcher: DMLFetcher) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fetcher.cacheFolder)) ?? []).sorted()
    }

    @Test("an archive is downloaded once into the cache under its digest, read-only; the next call re-hashes it and downloads nothing")
    func downloadAndCache() async throws {
        try await Self.withFetcher { server, fetcher in
            let first = try await fetcher.archive(server.digest)
            #expect(first == DMLFetched(path: fetcher.cacheFolder + "/\(server.digest.hex).tar.gz", fromCache: false, resumedFrom: 0,
                                        downloadedBytes: Int64(server.bytes.count)))
            #expect(try Data(contentsOf: URL(fileURLWithPath: first.path)) == server.bytes)
            #expect((try FileManager.default.attributesOfItem(atPath: first.path))[.posixPermissions] as? Int == 0o444)
            #expect(Self.cached(fetcher) == ["\(server.digest.hex).tar.gz"])
            let second = try await fetcher.archive(server.digest)
            #expect(second.fromCache && second.downloadedBytes == 0 && second.path == first.path)
        }
    }

    @Test("calls for the same digest at once share one download")
    func concurrentCallsShare() async throws {
        try await Self.withFetcher { server, fetcher in
            async let first = fetcher.archive(server.digest)
            async let second = fetcher.archive(server.digest)
            let (a, b) = try await (first, second)
            #expect(a.path == b.path && !a.fromCache)
            #expect(try Data(contentsOf: URL(fileURLWithPath: a.path)) == server.bytes)
            #expect(Self.cached(fetcher) == ["\(server.digest.hex).tar.gz"])
        }
    }

    @Test("a cached archive changed on disk is deleted and downloaded again")
    func cachedFileReverified() async throws {
        try await Self.withFetcher { server, fetcher in
            let path = try await fetcher.archive(server.digest).path
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            try Data("tampered in the cache".utf8).write(to: URL(fileURLWithPath: path))
            let again = try await fetcher.archive(server.digest)
            #expect(!again.fromCache && again.downloadedBytes == Int64(server.bytes.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == server.bytes)
        }
    }

    @Test("bytes that do not hash to the digest asked for are deleted, and the error names both digests")
    func tamperedArchive() async throws {
        try await Self.withFetcher { server, fetcher in
            var tampered = server.bytes
            tampered[1000] ^= 0xFF
            try server.tamper(tampered)
            let actual = LowercaseHex.encode(SHA256.hash(data: tampered))
            await #expect(throws: DMLFetchError.digestMismatch(expected: server.digest.hex, actual: actual)) {
                try await fetcher.archive(server.digest)
            }
            #expect(Self.cached(fetcher).isEmpty)
            let message = DMLFetchError.digestMismatch(expected: server.digest.hex, actual: actual).description
            #expect(message.contains(server.digest.hex) && message.contains(actual))
        }
    }

    @Test("a wrong token is refused with a clear error that never contains the token; nothing is cached")
    func wrongToken() async throws {
        let wrong = "wrong-token-\(UUID().uuidString)"
        try await Self.withFetcher(token: wrong) { server, fetcher in
            do {
                _ = try await fetcher.archive(server.digest)
                Issue.record("a wrong token was accepted")
            } catch let error as DMLFetchError {
                #expect(error == .unauthorized(status: 401) && !error.isRetryable)
                #expect(error.description.contains("SHIPBOARD_DML_TOKEN") && !error.description.contains(wrong))
            }
            #expect(!"\(fetcher)".contains(wrong))
            #expect(Self.cached(fetcher).isEmpty)
        }
    }

    @Test("an interrupted download is resumed with a Range from the partial file's end")
    func resume() async throws {
        try await Self.withFetcher { server, fetcher in
            try FileManager.default.createDirectory(atPath: fetcher.cacheFolder, withIntermediateDirectories: true)
            try server.bytes.prefix(100_000).write(to: URL(fileURLWithPath: fetcher.cacheFolder + "/\(server.digest.hex).partial"))
            let fetched = try await fetcher.archive(server.digest)
            #expect(fetched.resumedFrom == 100_000 && fetched.downloadedBytes == Int64(server.bytes.count - 100_000))
            #expect(try Data(contentsOf: URL(fileURLWithPath: fetched.path)) == server.bytes)
            #expect(Self.cached(fetcher) == ["\(server.digest.hex).tar.gz"])
        }
    }

    @Test("a partial file that is not a prefix of the archive, or is whole, still ends in the right archive")
    func resumeRecovers() async throws {
        try await Self.withFetcher { server, fetcher in
            let partial = fetcher.cacheFolder + "/\(server.digest.hex).partial"
            try FileManager.default.createDirectory(atPath: fetcher.cacheFolder, withIntermediateDirectories: true)
            try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: partial))
            let restarted = try await fetcher.archive(server.digest)
            #expect(restarted.resumedFrom == 0 && restarted.downloadedBytes == Int64(server.bytes.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: restarted.path)) == server.bytes)
            try FileManager.default.removeItem(atPath: restarted.path)
            try server.bytes.write(to: URL(fileURLWithPath: partial))
            let whole = try await fetcher.archive(server.digest)
            #expect(whole.downloadedBytes == 0 && whole.resumedFrom == Int64(server.bytes.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: whole.path)) == server.bytes)
        }
    }

    @Test("an unknown digest is not found and a retired one is gone; neither is worth retrying")
    func unknownAndRetired() async throws {
        try await Self.withFetcher { server, fetcher in
            let unknown = try #require(ImageDigest(String(repeating: "0", count: 64)))
            await #expect(throws: DMLFetchError.notFound(digest: unknown.hex)) { try await fetcher.archive(unknown) }
            await #expect(throws: DMLFetchError.retired(digest: server.retired.hex)) { try await fetcher.archive(server.retired) }
            #expect(Self.cached(fetcher).isEmpty)
        }
    }

    @Test("a redirect is never followed: the token goes nowhere else")
    func redirectNotFollowed() async throws {
        try await Self.withFetcher(path: "/moved") { server, fetcher in
            await #expect(throws: DMLFetchError.redirected(status: 302)) { try await fetcher.archive(server.digest) }
            #expect(server.redirects.current == 1)
            #expect(Self.cached(fetcher).isEmpty)
        }
    }

    @Test("a server that accepts the connection and never answers is given up at the timeout")
    func timeout() async throws {
        try await DriverImages.withFolder { folder in
            let (listener, port) = try Loopback.silentListener()
            defer { close(listener) }
            let client = DMLFetcher.makeClient()
            let fetcher = DMLFetcher(
                baseURL: "http://127.0.0.1:\(port)", token: "t", cacheFolder: folder + "/cache", client: client, timeout: .seconds(1))
            let digest = try #require(ImageDigest(String(repeating: "1", count: 64)))
            let started = ContinuousClock.now
            await #expect(throws: DMLFetchError.timedOut(.seconds(1))) { try await fetcher.archive(digest) }
            // The server never answers: only the timeout ends the fetch (a loaded run took 20 s).
            #expect(ContinuousClock.now - started < .seconds(90))
            try await client.shutdown()
        }
    }
}
