import AsyncHTTPClient
import Contracts
import Crypto
import Foundation
import Images
import NIOCore
import NIOFileSystem

extension DMLFetcher {
    /// Downloads `digest` into its partial file (resuming it when `resume` and there is one),
    /// verifies it and puts it in place.
    func download(_ digest: ImageDigest, resume: Bool) async throws(DMLFetchError) -> DMLFetched {
        let partial = partialPath(digest)
        do {
            var start = resume ? try await CacheFile.size(of: partial) : 0
            if !resume { try await CacheFile.remove(partial) }
            var hasher = start > 0 ? try await CacheFile.sha256(of: partial).hasher : SHA256()
            let response = try await request(digest, from: start)
            switch response.status.code {
            case 200:
                // The server sent the whole archive (no range): start the file over.
                start = 0
                hasher = SHA256()
                try await CacheFile.remove(partial)
            case 206 where ContentRange(response.headers.first(name: "Content-Range"))?.first == start:
                break
            case 416 where LowercaseHex.encode(hasher.finalize()) == digest.hex:
                // Interrupted after the last byte, before the rename: the partial file is whole.
                try await CacheFile.install(partial, as: finalPath(digest))
                return DMLFetched(path: finalPath(digest), fromCache: false, resumedFrom: start, downloadedBytes: 0)
            case 206, 416:
                // The partial file is as long as the archive or longer, or the server
                // resumed elsewhere: whatever it holds, start over from nothing once.
                guard resume else { throw DMLFetchError.unexpectedStatus(Int(response.status.code)) }
                return try await download(digest, resume: false)
            default:
                throw Self.refusal(Int(response.status.code), digest)
            }
            let announced = response.headers.first(name: Self.digestHeader) ?? "none"
            guard announced == digest.hex else {
                try await CacheFile.remove(partial)
                throw DMLFetchError.digestMismatch(expected: digest.hex, actual: announced)
            }
            let received = try await CacheFile.append(response.body, to: partial, at: start, hashing: &hasher)
            let actual = LowercaseHex.encode(hasher.finalize())
            guard actual == digest.hex else {
                try await CacheFile.remove(partial)
                // A stale or foreign partial file spoilt the resumed whole: one clean try.
                if start > 0 { return try await download(digest, resume: false) }
                throw DMLFetchError.digestMismatch(expected: digest.hex, actual: actual)
            }
            try await CacheFile.install(partial, as: finalPath(digest))
            return DMLFetched(path: finalPath(digest), fromCache: false, resumedFrom: start, downloadedBytes: received)
        } catch let error as DMLFetchError {
            throw error
        } catch is CancellationError {
            throw .cancelled
        } catch let error as HTTPClientError {
            switch error {
            case .cancelled: throw .cancelled
            case .deadlineExceeded, .readTimeout: throw .timedOut(timeout)
            default: throw .unreachable("\(error)")
            }
        } catch let error as FileSystemError {
            throw .io("\(error.code)")
        } catch {
            throw .unreachable("\(type(of: error))")
        }
    }

    /// `GET /dml/sha256/<digest>` with the token, from byte `start`; the answer's head.
    private func request(_ digest: ImageDigest, from start: Int64) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "\(baseURL)/dml/sha256/\(digest.hex)")
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        if start > 0 { request.headers.add(name: "Range", value: "bytes=\(start)-") }
        return try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
    }

    /// An answer that is not the archive, as an error.
    static func refusal(_ status: Int, _ digest: ImageDigest) -> DMLFetchError {
        switch status {
        case 401, 403: .unauthorized(status: status)
        case 404: .notFound(digest: digest.hex)
        case 410: .retired(digest: digest.hex)
        case 300..<400: .redirected(status: status)
        default: .unexpectedStatus(status)
        }
    }
}

/// `Content-Range: bytes <first>-<last>/<size>` of a 206 answer.
struct ContentRange: Equatable {
    let first: Int64
    let last: Int64
    let size: Int64

    init?(_ header: String?) {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count == 3, let first = Int64(parts[0]), let last = Int64(parts[1]), let size = Int64(parts[2]),
              first <= last, last < size
        else { return nil }
        (self.first, self.last, self.size) = (first, last, size)
    }
}
