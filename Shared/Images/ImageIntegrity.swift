import CompressNIO
import Contracts
import Crypto
import Foundation
import NIOCore

/// What checking an image archive found.
public struct ImageIntegrityReport: Equatable, Sendable {
    /// The manifest read from the archive; `nil` when it is missing or unreadable.
    public var manifest: ImageManifest?
    /// Each thing wrong, in the order found, worded for a person.
    public var problems: [String]

    public var isIntact: Bool { manifest != nil && problems.isEmpty }
}

/// Reads an image archive back, streaming, and checks it: every entry a regular file under
/// a safe name (no `..`, no absolute path, no link), every file re-hashed against
/// `manifest.json`, nothing listed missing and nothing unlisted, the archive properly ended.
/// Memory stays at one decompression window and the manifest (at most ``maxManifestBytes``).
public enum ImageIntegrity {
    public static let maxManifestBytes = 16 << 20

    public static func verify(archiveAt path: String) -> ImageIntegrityReport {
        var parser = TarStreamCheck()
        do {
            guard let input = FileHandle(forReadingAtPath: path) else {
                return ImageIntegrityReport(manifest: nil, problems: ["the archive cannot be opened"])
            }
            defer { try? input.close() }
            let decompressor = try ZlibDecompressor(algorithm: .gzip)
            var window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
            var ended = false
            while !ended, let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                var compressed = ByteBuffer(bytes: chunk)
                while compressed.readableBytes > 0 {
                    let before = compressed.readableBytes
                    window.clear()
                    do {
                        try decompressor.inflate(from: &compressed, to: &window)
                    } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                        // The window is full, or this chunk is used up: carry on.
                    }
                    parser.feed(window.readableBytesView)
                    if window.readableBytes == 0 && compressed.readableBytes == before {
                        // The gzip stream ended with input left over.
                        parser.problem("the archive has bytes after its end")
                        ended = true
                        break
                    }
                }
            }
        } catch {
            parser.problem("the archive is not a readable gzip stream (\(error))")
        }
        return parser.finish()
    }
}

/// The tar layer of ``ImageIntegrity``: a state machine over the decompressed bytes.
struct TarStreamCheck {
    private enum State {
        case header
        case content(name: String?, remaining: Int64, padding: Int)
        case padding(Int)
    }

    private var state = State.header
    private var block: [UInt8] = []
    private var zeroBlocks = 0
    private var hasher = SHA256()
    private var manifestBytes: [UInt8]? = nil
    private var found: [String: (sha256: String, size: Int64)] = [:]
    private var size: Int64 = 0
    private var problems: [String] = []
    private var manifestSeen = false

    mutating func problem(_ text: String) {
        if problems.count < 100 { problems.append(text) }
    }

    mutating func feed(_ bytes: ByteBufferView) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .header:
                let take = min(UstarHeader.blockSize - block.count, bytes.endIndex - index)
                block.append(contentsOf: bytes[index..<(index + take)])
                index += take
                if block.count == UstarHeader.blockSize {
                    header(block)
                    block.removeAll(keepingCapacity: true)
                }
            case .content(let name, let remaining, let padding):
                let take = Int(min(remaining, Int64(bytes.endIndex - index)))
                let slice = bytes[index..<(index + take)]
                if name == ImageManifest.entryName {
                    if (manifestBytes?.count ?? 0) + take <= ImageIntegrity.maxManifestBytes {
                        manifestBytes?.append(contentsOf: slice)
                    } else {
                        manifestBytes = nil
                    }
                } else if name != nil {
                    slice.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                        ?? hasher.update(data: Array(slice))
                }
                index += take
                let left = remaining - Int64(take)
                if left == 0 {
                    endContent(name)
                    state = padding > 0 ? .padding(padding) : .header
                } else {
                    state = .content(name: name, remaining: left, padding: padding)
                }
            case .padding(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                index += take
                state = remaining - take > 0 ? .padding(remaining - take) : .header
            }
        }
    }

    private mutating func header(_ block: [UInt8]) {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            return
        }
        if zeroBlocks >= 2 {
            problem("the archive has entries after its end")
        }
        zeroBlocks = 0
        guard let parsed = UstarHeader.parse(block) else {
            problem("an entry header is damaged (its checksum or fields do not add up)")
            state = .header
            return
        }
        let padding = UstarHeader.padding(after: parsed.size)
        guard parsed.isRegularFile else {
            problem("'\(parsed.printableName)' is not a regular file (a link, folder or device): images hold files only")
            state = parsed.size > 0 ? .content(name: nil, remaining: parsed.size, padding: padding) : .header
            return
        }
        var name: String? = parsed.name
        do {
            _ = try ImagePath(parsed.name)
        } catch {
            problem("an entry is refused: \(error)")
            name = nil
        }
        if let valid = name {
            if valid == ImageManifest.entryName {
                if manifestSeen { problem("the archive holds manifest.json twice") }
                manifestSeen = true
                manifestBytes = []
            } else if found[valid] != nil {
                problem("'\(valid)' is in the archive twice")
            }
            hasher = SHA256()
            size = parsed.size
        }
        if parsed.size == 0 {
            endContent(name)
            state = .header
        } else {
            state = .content(name: name, remaining: parsed.size, padding: padding)
        }
    }

    private mutating func endContent(_ name: String?) {
        guard let name, name != ImageManifest.entryName else { return }
        found[name] = (LowercaseHex.encode(hasher.finalize()), size)
    }

    func finishState() -> Bool {
        if case .header = state { return block.isEmpty }
        return false
    }

    mutating func finish() -> ImageIntegrityReport {
        if !finishState() || zeroBlocks < 2 {
            problem("the archive ends early (cut short or damaged)")
        }
        guard manifestSeen else {
            problem("the archive has no manifest.json")
            return ImageIntegrityReport(manifest: nil, problems: problems)
        }
        guard let bytes = manifestBytes, let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(bytes)) else {
            problem("manifest.json is not a readable manifest")
            return ImageIntegrityReport(manifest: nil, problems: problems)
        }
        var listed: Set<String> = []
        for file in manifest.files {
            listed.insert(file.path)
            guard let entry = found[file.path] else {
                problem("'\(file.path)' is in the manifest but not in the archive")
                continue
            }
            if entry.sha256 != file.sha256 || entry.size != file.size {
                problem("'\(file.path)' does not match the manifest: SHA-256 \(entry.sha256), \(entry.size) bytes; listed \(file.sha256), \(file.size) bytes")
            }
        }
        for name in found.keys.sorted() where !listed.contains(name) {
            problem("'\(name)' is in the archive but not in the manifest")
        }
        return ImageIntegrityReport(manifest: manifest, problems: problems)
    }
}
