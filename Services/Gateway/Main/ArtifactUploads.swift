import Contracts
import Crypto
import Foundation
import GatewayCore
import NIOFileSystem
import NIOPosix
import OpenAPIRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Streams an uploaded artifact to `<root>/<release key>/<path>` without holding it in memory.
///
/// - The bytes go to a new file created transactionally (`O_TMPFILE` where the file system
///   has it, else a hidden temporary name) beside the destination; it is renamed over the
///   destination only after the last byte was written and flushed. An upload cut short, over
///   the limit or failing to write leaves nothing behind and the previous file, if any, as it was.
/// - The SHA-256 and the size are computed from the same bytes as they are written.
/// - The size limit (``UploadBudget``) is enforced as the bytes arrive.
struct ArtifactUploads: Sendable {
    let root: String
    let limit: Int64

    struct Stored: Sendable {
        let sha256: String
        let size: Int64
    }

    func store(_ body: HTTPBody, at destination: UploadDestination, declaredLength: Int64?) async throws -> Stored {
        var budget = UploadBudget(limit: limit)
        try budget.admit(declaredLength: declaredLength)
        let file = FilePath(destination.file(under: root))
        let folder = file.removingLastComponent()
        do {
            try await FileSystem.shared.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandError(.conflict, "a file in the upload folder is in the way of \(destination.path)", rule: "uploads.path")
        }
        let temporary = folder.appending(".upload-\(UUID().uuidString.lowercased())")
        var hasher = SHA256()
        try await FileSystem.shared.withFileHandle(forWritingAt: temporary, options: .newFile(replaceExisting: false)) { handle in
            try await handle.withBufferedWriter { writer in
                for try await chunk in body {
                    try budget.receive(chunk.count)
                    hasher.update(data: chunk)
                    try await writer.write(contentsOf: chunk)
                }
            }
        }
        try await Self.rename(temporary, over: file)
        return Stored(sha256: LowercaseHex.encode(hasher.finalize()), size: budget.received)
    }

    /// `rename(2)`: atomic, and replaces a file already there (NIOFileSystem's move refuses
    /// to). On the blocking-I/O pool, never on an event loop.
    static func rename(_ source: FilePath, over destination: FilePath) async throws {
        let failure: Int32 = try await NIOThreadPool.singleton.runIfActive {
            Glibc.rename(source.string, destination.string) == 0 ? 0 : errno
        }
        if failure != 0 {
            _ = try? await FileSystem.shared.removeItem(at: source)
            throw CommandError(.conflict, "the upload could not be put in place (errno \(failure))", rule: "uploads.path")
        }
    }
}
