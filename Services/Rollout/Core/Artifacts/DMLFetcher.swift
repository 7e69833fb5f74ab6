import AsyncHTTPClient
import Contracts
import Crypto
import Foundation
import Images
import NIOCore
import NIOFileSystem

/// Fetches image archives from shipboard-testing's DML download server
/// (`GET <base>/dml/sha256/<digest>`, `Authorization: Bearer <token>`) into this replica's
/// cache folder, so each deploy reads a local file whose SHA-256 was checked.
///
/// - Streams to `<cache>/<digest>.partial`, hashing as it writes, and renames to
///   `<cache>/<digest>.tar.gz` (read-only) only when the bytes hash to the digest asked for
///   and the server's `X-Shipboard-SHA256` names it too; otherwise the file is deleted and
///   the error names both digests.
/// - A partial file left by an interrupted download (a timeout, `kill -9`) is resumed with
///   `Range: bytes=<size>-`; when the resumed whole does not match, it starts over once.
/// - A cached archive is re-hashed before every use; one that changed is deleted and fetched again.
/// - Redirects are never followed (the token would travel with them); the whole download
///   has a deadline (`timeout`), and the client gives up on an idle connection.
/// - Calls for the same digest at once share one download. Different replicas use
///   different cache folders.
/// - The token is kept here only to send it: it is in no message, log or description.
public struct DMLFetcher: Sendable, CustomStringConvertible {
    public static let digestHeader = "X-Shipboard-SHA256"

    public let baseURL: String
    /// Secret: sent as the bearer token, never printed.
    let bearer: String
    public let cacheFolder: String
    public let timeout: Duration
    let client: HTTPClient
    private let downloads = SharedDownloads()

    /// `baseURL` is the download server's root, e.g. `http://shipboard-testing:8090`.
    public init(baseURL: String, token: String, cacheFolder: String, client: HTTPClient, timeout: Duration = .seconds(600)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.bearer = token
        self.cacheFolder = URL(fileURLWithPath: cacheFolder).standardizedFileURL.path
        self.client = client
        self.timeout = timeout
    }

    /// The HTTP client for the download server: redirects are never followed, a connection
    /// must open within 5 s, and a download idle for `idle` is given up. Shut it down with the service.
    public static func makeClient(idle: Duration = .seconds(30)) -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: .nanoseconds(Int64(idle.components.seconds) * 1_000_000_000))))
    }

    public var description: String { "DMLFetcher(\(baseURL), cache: \(cacheFolder), token: redacted)" }

    /// The verified archive `digest` in the cache, downloaded when it is not there yet.
    public func archive(_ digest: ImageDigest) async throws(DMLFetchError) -> DMLFetched {
        do {
            return try await downloads.shared(digest) { try await fetch(digest) }
        } catch let error as DMLFetchError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    func finalPath(_ digest: ImageDigest) -> String { cacheFolder + "/\(digest.hex).tar.gz" }
    func partialPath(_ digest: ImageDigest) -> String { cacheFolder + "/\(digest.hex).partial" }

    private func fetch(_ digest: ImageDigest) async throws(DMLFetchError) -> DMLFetched {
        let final = finalPath(digest)
        do {
            try await FileSystem.shared.createDirectory(at: FilePath(cacheFolder), withIntermediateDirectories: true)
            if try await FileSystem.shared.info(forFileAt: FilePath(final)) != nil {
                if LowercaseHex.encode(try await CacheFile.sha256(of: final).hasher.finalize()) == digest.hex {
                    return DMLFetched(path: final, fromCache: true, resumedFrom: 0, downloadedBytes: 0)
                }
                // Changed on disk since it was verified: it cannot be trusted, so fetch it again.
                try await CacheFile.remove(final)
            }
        } catch let error as DMLFetchError {
            throw error
        } catch {
            throw .io("\(cacheFolder) cannot be read or written")
        }
        return try await withDeadline { () async throws(DMLFetchError) -> DMLFetched in
            try await download(digest, resume: true)
        }
    }

    /// Races `work` against ``timeout``.
    private func withDeadline(_ work: @escaping @Sendable () async throws(DMLFetchError) -> DMLFetched) async throws(DMLFetchError) -> DMLFetched {
        let limit = timeout
        do {
            return try await withThrowingTaskGroup(of: DMLFetched?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let fetched = try await group.next() ?? nil else { throw DMLFetchError.timedOut(limit) }
                return fetched
            }
        } catch let error as DMLFetchError {
            throw error
        } catch {
            throw .cancelled
        }
    }
}

/// One download per digest at a time in this process: a second caller waits for the first's result.
private actor SharedDownloads {
    private var running: [ImageDigest: Task<DMLFetched, any Error>] = [:]

    func shared(_ digest: ImageDigest, _ work: @escaping @Sendable () async throws -> DMLFetched) async throws -> DMLFetched {
        if let task = running[digest] { return try await task.value }
        let task = Task { try await work() }
        running[digest] = task
        defer { running[digest] = nil }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }
}
