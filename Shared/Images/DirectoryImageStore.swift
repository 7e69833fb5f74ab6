import Contracts
import Crypto
import Foundation

/// Why a store refused or failed.
public enum ImageStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case digestMismatch(expected: String, actual: String)
    case notFound(String)
    case io(String)

    public var description: String {
        switch self {
        case .digestMismatch(let expected, let actual):
            "the bytes have SHA-256 \(actual), not \(expected): they changed since they were hashed"
        case .notFound(let digest): "no archive \(digest) in the store"
        case .io(let reason): "the store cannot be used: \(reason)"
        }
    }
}

/// Write-once, content-addressed storage of image archives: the one interface the build
/// output and the Definitive Media Library use, so an object store can replace the folder.
public protocol ImageStore: Sendable {
    /// Copies the file at `path` in, hashing it on the way; with `expected`, refuses bytes
    /// whose digest differs (nothing is stored then). Adding bytes already there changes nothing.
    func add(fileAt path: String, expected: ImageDigest?) throws(ImageStoreError) -> ImageDigest
    func contains(_ digest: ImageDigest) -> Bool
    /// Where to read an archive from.
    func path(of digest: ImageDigest) throws(ImageStoreError) -> String
    func digests() throws(ImageStoreError) -> [ImageDigest]
    /// Re-hashes every archive; returns the digests whose bytes no longer match, with why.
    func verifyAll() throws(ImageStoreError) -> [(ImageDigest, String)]
}

/// ``ImageStore`` as a folder of `<sha256>.tar.gz` files, read-only once written. A copy in
/// progress is a `.partial-…` file, renamed only when complete and flushed to disk: a crash
/// never leaves a half-written archive under a digest's name.
public struct DirectoryImageStore: ImageStore {
    public static let chunkSize = 1 << 20
    public let root: String

    public init(root: String) throws(ImageStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(root): \(error.localizedDescription)")
        }
        self.root = root
    }

    public func add(fileAt source: String, expected: ImageDigest?) throws(ImageStoreError) -> ImageDigest {
        if let expected, contains(expected) {
            // Already stored; the bytes offered must still be these.
            let offered = try Self.digest(of: source)
            guard offered == expected else { throw .digestMismatch(expected: expected.hex, actual: offered.hex) }
            return expected
        }
        guard let input = FileHandle(forReadingAtPath: source) else { throw .notFound(source) }
        defer { try? input.close() }
        let partial = try newPartial()
        do {
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
            var hasher = SHA256()
            while let chunk = try input.read(upToCount: Self.chunkSize), !chunk.isEmpty {
                hasher.update(data: chunk)
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
            try output.close()
            guard let actual = ImageDigest(LowercaseHex.encode(hasher.finalize())) else { throw ImageStoreError.io("digest") }
            if let expected, actual != expected {
                throw ImageStoreError.digestMismatch(expected: expected.hex, actual: actual.hex)
            }
            _ = try commit(partial: partial, as: actual)
            return actual
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            if let error = error as? ImageStoreError { throw error }
            throw .io(error.localizedDescription)
        }
    }

    /// A fresh temporary name in the store, for a writer that hashes as it writes (the
    /// build); ``commit(partial:as:)`` gives it its digest's name.
    public func newPartial() throws(ImageStoreError) -> String {
        let partial = (root as NSString).appendingPathComponent(".partial-\(UUID().uuidString.lowercased())")
        guard FileManager.default.createFile(atPath: partial, contents: nil) else { throw .io("\(root) is not writable") }
        return partial
    }

    /// Names a complete, flushed partial file by its digest, read-only; when the digest is
    /// stored already, the partial is dropped (the bytes are the same). Returns the path.
    public func commit(partial: String, as digest: ImageDigest) throws(ImageStoreError) -> String {
        let final = (root as NSString).appendingPathComponent("\(digest.hex).tar.gz")
        do {
            if FileManager.default.fileExists(atPath: final) {
                try FileManager.default.removeItem(atPath: partial)
            } else {
                try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: partial)
                try FileManager.default.moveItem(atPath: partial, toPath: final)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .io(error.localizedDescription)
        }
        return final
    }

    /// Removes temporary files older than `age`: what writers that died mid-way (a crash,
    /// `kill -9`) left. Never a digest-named archive. Returns how many went.
    @discardableResult
    public func sweepPartials(olderThan age: Duration) -> Int {
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasPrefix(".partial-") {
            let path = (root as NSString).appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantFuture
            if modified <= cutoff, (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }

    public func contains(_ digest: ImageDigest) -> Bool {
        FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("\(digest.hex).tar.gz"))
    }

    public func path(of digest: ImageDigest) throws(ImageStoreError) -> String {
        let path = (root as NSString).appendingPathComponent("\(digest.hex).tar.gz")
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(digest.hex) }
        return path
    }

    public func digests() throws(ImageStoreError) -> [ImageDigest] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: root)
                .compactMap { $0.hasSuffix(".tar.gz") ? ImageDigest(String($0.dropLast(7))) : nil }.sorted()
        } catch {
            throw .io(error.localizedDescription)
        }
    }

    public func verifyAll() throws(ImageStoreError) -> [(ImageDigest, String)] {
        var broken: [(ImageDigest, String)] = []
        for digest in try digests() {
            do {
                let actual = try Self.digest(of: try path(of: digest))
                if actual != digest { broken.append((digest, "its bytes now have SHA-256 \(actual.hex)")) }
            } catch {
                broken.append((digest, error.description))
            }
        }
        return broken
    }

    /// SHA-256 of a file, read in chunks.
    public static func digest(of path: String) throws(ImageStoreError) -> ImageDigest {
        guard let input = FileHandle(forReadingAtPath: path) else { throw .notFound(path) }
        defer { try? input.close() }
        var hasher = SHA256()
        do {
            while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch {
            throw .io(error.localizedDescription)
        }
        guard let digest = ImageDigest(LowercaseHex.encode(hasher.finalize())) else { throw .io("digest") }
        return digest
    }
}
