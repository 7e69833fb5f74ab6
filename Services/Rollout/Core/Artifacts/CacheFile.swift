import AsyncHTTPClient
import Crypto
import Images
import NIOCore
import NIOFileSystem

/// The file operations of the image cache, through NIOFileSystem (its own thread pool:
/// never blocking the cooperative pool).
enum CacheFile {
    /// The size of the file at `path`, 0 when there is none.
    static func size(of path: String) async throws -> Int64 {
        try await FileSystem.shared.info(forFileAt: FilePath(path))?.size ?? 0
    }

    /// Removes the file at `path`, if any.
    static func remove(_ path: String) async throws {
        try await FileSystem.shared.removeItem(at: FilePath(path))
    }

    /// The file's bytes hashed, as a hasher that more bytes may still go into.
    static func sha256(of path: String) async throws -> (hasher: SHA256, size: Int64) {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            var hasher = SHA256()
            var size: Int64 = 0
            for try await chunk in handle.readChunks() {
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                size += Int64(chunk.readableBytes)
            }
            return (hasher, size)
        }
    }

    /// Writes `body` into the file at `path` from byte `offset` on (creating it), hashing
    /// every byte; returns how many were written. Flushed to disk before it returns.
    static func append(_ body: HTTPClientResponse.Body, to path: String, at offset: Int64, hashing hasher: inout SHA256) async throws -> Int64 {
        try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .modifyFile(createIfNecessary: true)) { handle in
            var written: Int64 = 0
            var running = hasher
            try await handle.withBufferedWriter(startingAtAbsoluteOffset: offset) { writer in
                for try await chunk in body {
                    chunk.withUnsafeReadableBytes { running.update(bufferPointer: $0) }
                    written += Int64(try await writer.write(contentsOf: chunk))
                }
            }
            try await handle.synchronize()
            hasher = running
            return written
        }
    }

    /// Puts a verified partial file in place under its digest's name, read-only (`rename(2)`,
    /// replacing a file there).
    static func install(_ partial: String, as final: String) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(partial)) { handle in
            try await handle.replacePermissions([.ownerRead, .groupRead, .otherRead])
        }
        try await FileSystem.shared.replaceItem(at: FilePath(final), withItemAt: FilePath(partial))
    }
}
