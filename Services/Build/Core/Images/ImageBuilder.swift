import Contracts
import Images
import Crypto
import Foundation

/// Builds the deterministic `tar.gz` of an image spec into a content-addressed store folder.
///
/// Entries are the spec's files in byte order of their paths, then `manifest.json`; every
/// header has time 0, owner root, mode 0644 or 0755; so the same files under the same
/// names give the same SHA-256 on any machine, wherever the import root is. The archive is
/// written to a temporary name in the store and named by its digest only when complete
/// (``DirectoryImageStore``): a crash mid-build leaves no entry, only a `.partial-…` file.
public struct ImageBuilder: Sendable {
    /// What a build produced.
    public struct Built: Equatable, Sendable {
        public var sha256: String
        public var size: Int64
        public var manifest: ImageManifest
        /// The archive in the store.
        public var path: String
        /// The text of the image's communication plan, if it has one (checked): shipboard-notify
        /// schedules the release's briefings from it (sent in `image.built`).
        public var communicationPlan: String? = nil
    }

    public static let chunkSize = 1 << 20

    public let importRoot: ImportRoot
    public let store: DirectoryImageStore
    /// The most the image's files may add up to.
    public let sizeLimit: Int64

    public init(importRoot: ImportRoot, store: DirectoryImageStore, sizeLimit: Int64) {
        self.importRoot = importRoot
        self.store = store
        self.sizeLimit = sizeLimit
    }

    /// A builder whose store is the folder `store`.
    public init(importRoot: ImportRoot, store: String, sizeLimit: Int64) throws {
        self.init(importRoot: importRoot, store: try DirectoryImageStore(root: store), sizeLimit: sizeLimit)
    }

    public func build(_ spec: ImageSpec) throws -> Built {
        let sources = try spec.validated()
        // Every file is found and measured before a byte is written.
        var total: Int64 = 0
        var files: [(source: ImageSpec.Source, path: String, size: Int64)] = []
        var communicationPlan: String?
        for source in sources {
            let (path, size) = try importRoot.file(source.from)
            total += size
            guard total <= sizeLimit, size <= UstarHeader.maxFileSize else {
                throw ImageSpecError.tooLarge(source.from.value, limit: sizeLimit)
            }
            files.append((source, path, size))
            if let kind = PlanDocument.kind(of: source.path) {
                let text = try checkPlan(source, at: path, size: size)
                if kind == .communication { communicationPlan = text }
            }
        }
        let partial = try store.newPartial()
        do {
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
            defer { try? output.close() }
            let writer = try ImageArchiveWriter(output: output)
            var entries: [ImageManifest.File] = []
            for file in files {
                entries.append(try append(file.source, from: file.path, size: file.size, to: writer))
            }
            let manifest = ImageManifest(
                format: ImageManifest.formatVersion, name: spec.name, version: spec.version, releaseKey: spec.releaseKey,
                targetClasses: spec.targetClasses.sorted(), files: entries)
            let manifestBytes = try manifest.encoded()
            try writer.write(UstarHeader(path: try ImagePath(ImageManifest.entryName), size: Int64(manifestBytes.count),
                                         executable: false).bytes)
            try writer.write(manifestBytes)
            try writer.write([UInt8](repeating: 0, count: UstarHeader.padding(after: Int64(manifestBytes.count))))
            // The end of the archive: two zero blocks.
            try writer.write([UInt8](repeating: 0, count: 2 * UstarHeader.blockSize))
            let (sha256, size) = try writer.finish()
            try output.synchronize()
            guard let digest = ImageDigest(sha256) else { throw ImageStoreError.io("the archive's digest is malformed") }
            // The same bytes built before are the same entry: content addressing.
            let final = try store.commit(partial: partial, as: digest)
            return Built(sha256: sha256, size: size, manifest: manifest, path: final, communicationPlan: communicationPlan)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// A communication or education plan must parse: notifications are scheduled from it.
    private func checkPlan(_ source: ImageSpec.Source, at path: String, size: Int64) throws -> String {
        guard size <= PlanDocument.maxBytes else {
            throw ImageSpecError.invalidPlan(source.path.value, "it is larger than \(PlanDocument.maxBytes / 1024) KiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageSpecError.unreadable(source.from.value, "it could not be opened")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImageSpecError.invalidPlan(source.path.value, "it is not UTF-8 text")
        }
        do {
            _ = try PlanDocument(parsing: text)
        } catch {
            throw ImageSpecError.invalidPlan(source.path.value, error.description)
        }
        return text
    }

    /// One file: its header, its bytes in chunks (hashed on the way), its padding.
    private func append(
        _ source: ImageSpec.Source, from path: String, size: Int64, to writer: ImageArchiveWriter
    ) throws -> ImageManifest.File {
        try writer.write(UstarHeader(path: source.path, size: size, executable: source.executable).bytes)
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw ImageSpecError.unreadable(source.from.value, "it could not be opened")
        }
        defer { try? input.close() }
        var hasher = SHA256()
        var read: Int64 = 0
        while read < size, let chunk = try input.read(upToCount: Int(min(Int64(Self.chunkSize), size - read))), !chunk.isEmpty {
            hasher.update(data: chunk)
            try writer.write(chunk)
            read += Int64(chunk.count)
        }
        // A file that shrank or grew while it was read would make the header lie.
        guard read == size, (try input.read(upToCount: 1))?.isEmpty ?? true else {
            throw ImageSpecError.unreadable(source.from.value, "it changed while the image was built")
        }
        try writer.write([UInt8](repeating: 0, count: UstarHeader.padding(after: size)))
        return ImageManifest.File(
            path: source.path.value, sha256: LowercaseHex.encode(hasher.finalize()), size: size, executable: source.executable)
    }
}
