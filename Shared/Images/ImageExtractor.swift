import CompressNIO
import Foundation
import Glibc
import NIOCore

/// Why an image archive could not be unpacked, worded for a person.
public enum ImageExtractionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An entry that could name a place outside the destination, or is not a plain file.
    case refusedEntry(String, String)
    /// The archive is not a whole, readable tar.gz.
    case damaged(String)
    case io(String)

    public var description: String {
        switch self {
        case .refusedEntry(let name, let reason): "the archive entry '\(name)' is refused: \(reason)"
        case .damaged(let reason): "the archive cannot be unpacked: \(reason)"
        case .io(let reason): "unpacking failed: \(reason)"
        }
    }
}

/// Unpacks an image archive into an empty folder, streaming: memory stays at one
/// decompression window and one 512-byte block, whatever the image's size.
///
/// - Only regular files are written, each under a name that is a valid ``ImagePath`` (no
///   absolute path, no `..`, no control characters); a link, folder, device or hostile name
///   stops the unpacking with ``ImageExtractionError/refusedEntry(_:_:)``.
/// - Nothing is written outside `destination`: it must be empty, only folders and files are
///   created under it (never links), and files are opened with `O_EXCL | O_NOFOLLOW`, so an
///   entry named twice is refused rather than overwritten.
/// - A file's mode is the header's read and execute bits plus the owner's write bit (0644 or
///   0755): no set-user-ID, no group- or world-writable files.
/// - What is already written stays when unpacking fails: the caller owns the folder and
///   removes it.
public enum ImageExtractor {
    /// Unpacks `archive` into `destination` (created when missing); returns the files written, in archive order.
    @discardableResult
    public static func extract(archiveAt archive: String, into destination: String) throws(ImageExtractionError) -> [ImagePath] {
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create the destination folder")
        }
        guard (try? FileManager.default.contentsOfDirectory(atPath: destination))?.isEmpty == true else {
            throw .io("the destination folder is not empty")
        }
        guard let input = FileHandle(forReadingAtPath: archive) else { throw .io("the archive cannot be opened") }
        defer { try? input.close() }
        do {
            return try unpack(GzipFileReader(input: input), into: destination)
        } catch let error as ImageExtractionError {
            throw error
        } catch {
            throw .damaged("it is not a readable gzip stream")
        }
    }

    /// Entry after entry until the two zero blocks that end a tar archive.
    private static func unpack(_ reader: GzipFileReader, into destination: String) throws -> [ImagePath] {
        var written: [ImagePath] = []
        var zeroBlocks = 0
        while zeroBlocks < 2 {
            guard let block = try reader.read(exactly: UstarHeader.blockSize) else {
                throw ImageExtractionError.damaged("it ends early (cut short or damaged)")
            }
            if block.allSatisfy({ $0 == 0 }) {
                zeroBlocks += 1
                continue
            }
            guard zeroBlocks == 0 else { throw ImageExtractionError.damaged("a lone zero block sits between entries") }
            let (path, size) = try entry(block)
            let file = try create(path, mode: mode(of: block), in: destination)
            defer { try? file.close() }
            written.append(path)
            var remaining = size
            while remaining > 0 {
                let piece = try reader.read(upTo: Int(min(remaining, 1 << 20)))
                guard piece.readableBytes > 0 else { throw ImageExtractionError.damaged("it ends early (cut short or damaged)") }
                do {
                    try piece.withUnsafeReadableBytes { try file.write(contentsOf: $0) }
                } catch {
                    throw ImageExtractionError.io("cannot write '\(path)': \(error.localizedDescription)")
                }
                remaining -= Int64(piece.readableBytes)
            }
            guard try reader.read(exactly: UstarHeader.padding(after: size)) != nil else {
                throw ImageExtractionError.damaged("it ends early (cut short or damaged)")
            }
        }
        return written
    }

    /// The entry a header block names, when it is a regular file under a valid image path.
    private static func entry(_ block: [UInt8]) throws(ImageExtractionError) -> (ImagePath, Int64) {
        guard let parsed = UstarHeader.parse(block) else {
            throw .damaged("an entry header is damaged (its checksum or fields do not add up)")
        }
        guard parsed.isRegularFile else {
            throw .refusedEntry(parsed.printableName, "it is not a regular file (a link, folder or device): images hold files only")
        }
        do {
            return (try ImagePath(parsed.name), parsed.size)
        } catch {
            throw .refusedEntry(parsed.printableName, error.description)
        }
    }

    /// Creates the entry's folders and the file itself, refusing to follow or replace anything.
    private static func create(_ path: ImagePath, mode: mode_t, in destination: String) throws(ImageExtractionError) -> FileHandle {
        let target = (destination as NSString).appendingPathComponent(path.value)
        do {
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .refusedEntry(path.value, "its folder cannot be made (a file of that name is in the archive)")
        }
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw .refusedEntry(path.value, errno == EEXIST ? "it is in the archive twice" : String(cString: strerror(errno)))
        }
        // open() applied the umask; the image says what the mode is.
        _ = fchmod(descriptor, mode)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The header's mode with only read and execute bits kept, plus the owner's write bit (0755 at most).
    private static func mode(of block: [UInt8]) -> mode_t {
        let field = block[100..<108].prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        let mode = mode_t(String(decoding: field, as: UTF8.self), radix: 8) ?? 0o644
        return (mode & 0o555) | 0o200
    }
}

/// The decompressed bytes of a gzip file, pulled as they are needed: memory holds one chunk
/// of the file and one decompression window. What follows the end of the gzip stream is
/// not read (``ImageIntegrity`` reports it).
private final class GzipFileReader {
    private let input: FileHandle
    private let decompressor: ZlibDecompressor
    private var compressed = ByteBuffer()
    private var window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
    private var ended = false

    init(input: FileHandle) throws {
        self.input = input
        decompressor = try ZlibDecompressor(algorithm: .gzip)
    }

    /// Up to `count` bytes; none only at the end of the stream.
    func read(upTo count: Int) throws -> ByteBuffer {
        while window.readableBytes == 0 && !ended { try refill() }
        return window.readSlice(length: min(count, window.readableBytes)) ?? ByteBuffer()
    }

    /// Exactly `count` bytes, or nil when the stream ends first.
    func read(exactly count: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let piece = try read(upTo: count - bytes.count)
            guard piece.readableBytes > 0 else { return nil }
            bytes.append(contentsOf: piece.readableBytesView)
        }
        return bytes
    }

    private func refill() throws {
        if compressed.readableBytes == 0 {
            guard let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty else {
                ended = true
                return
            }
            compressed = ByteBuffer(bytes: chunk)
        }
        let before = compressed.readableBytes
        window.clear()
        do {
            try decompressor.inflate(from: &compressed, to: &window)
        } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
            // The window is full, or this chunk is used up: what was inflated is in the window.
        }
        // Nothing in, nothing out: the gzip stream has ended.
        if window.readableBytes == 0 && compressed.readableBytes == before { ended = true }
    }
}
