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
        var unpacker = TarUnpacker(destination: destination)
        do {
            let decompressor = try ZlibDecompressor(algorithm: .gzip)
            var window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
            reading: while !unpacker.ended, let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                var compressed = ByteBuffer(bytes: chunk)
                while compressed.readableBytes > 0 && !unpacker.ended {
                    let before = compressed.readableBytes
                    window.clear()
                    do {
                        try decompressor.inflate(from: &compressed, to: &window)
                    } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                        // The window is full, or this chunk is used up: carry on.
                    }
                    try unpacker.feed(window.readableBytesView)
                    if window.readableBytes == 0 && compressed.readableBytes == before { break reading }
                }
            }
        } catch let error as ImageExtractionError {
            unpacker.closeFile()
            throw error
        } catch {
            unpacker.closeFile()
            throw .damaged("it is not a readable gzip stream")
        }
        guard unpacker.ended else { throw .damaged("it ends early (cut short or damaged)") }
        return unpacker.written
    }
}

/// The tar layer of ``ImageExtractor``: a state machine over the decompressed bytes that
/// writes each entry's content as it arrives.
private struct TarUnpacker {
    private enum State {
        case header
        case content(remaining: Int64, padding: Int)
        case padding(Int)
    }

    let destination: String
    private var state = State.header
    private var block: [UInt8] = []
    private var zeroBlocks = 0
    private var file: FileHandle?
    private(set) var written: [ImagePath] = []
    /// Two zero blocks were read: the archive's end.
    var ended: Bool { zeroBlocks >= 2 }

    init(destination: String) {
        self.destination = destination
    }

    mutating func feed(_ bytes: ByteBufferView) throws(ImageExtractionError) {
        var index = bytes.startIndex
        while index < bytes.endIndex && !ended {
            switch state {
            case .header:
                let take = min(UstarHeader.blockSize - block.count, bytes.endIndex - index)
                block.append(contentsOf: bytes[index..<(index + take)])
                index += take
                if block.count == UstarHeader.blockSize {
                    try header(block)
                    block.removeAll(keepingCapacity: true)
                }
            case .content(let remaining, let padding):
                let take = Int(min(remaining, Int64(bytes.endIndex - index)))
                do {
                    try file?.write(contentsOf: Data(bytes[index..<(index + take)]))
                } catch {
                    throw .io("cannot write '\(written.last?.value ?? "")': \(error.localizedDescription)")
                }
                index += take
                let left = remaining - Int64(take)
                if left == 0 { closeFile() }
                state = left > 0 ? .content(remaining: left, padding: padding) : padding > 0 ? .padding(padding) : .header
            case .padding(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                index += take
                state = remaining - take > 0 ? .padding(remaining - take) : .header
            }
        }
    }

    mutating func closeFile() {
        try? file?.close()
        file = nil
    }

    private mutating func header(_ block: [UInt8]) throws(ImageExtractionError) {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            return
        }
        guard zeroBlocks == 0 else { throw .damaged("a lone zero block sits between entries") }
        guard let parsed = UstarHeader.parse(block) else {
            throw .damaged("an entry header is damaged (its checksum or fields do not add up)")
        }
        guard parsed.isRegularFile else {
            throw .refusedEntry(parsed.printableName, "it is not a regular file (a link, folder or device): images hold files only")
        }
        let path: ImagePath
        do {
            path = try ImagePath(parsed.name)
        } catch {
            throw .refusedEntry(parsed.printableName, error.description)
        }
        try open(path, mode: Self.mode(of: block))
        written.append(path)
        if parsed.size == 0 {
            closeFile()
        } else {
            state = .content(remaining: parsed.size, padding: UstarHeader.padding(after: parsed.size))
        }
    }

    /// Creates the entry's folders and the file itself, refusing to follow or replace anything.
    private mutating func open(_ path: ImagePath, mode: mode_t) throws(ImageExtractionError) {
        let target = (destination as NSString).appendingPathComponent(path.value)
        do {
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .refusedEntry(path.value, "its folder cannot be made (a file of that name is in the archive)")
        }
        let descriptor = Glibc.open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it is in the archive twice" : String(cString: strerror(errno))
            throw .refusedEntry(path.value, reason)
        }
        // open() applied the umask; the image says what the mode is.
        _ = fchmod(descriptor, mode)
        file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The header's mode with only read and execute bits kept (0755 at most).
    static func mode(of block: [UInt8]) -> mode_t {
        let field = block[100..<108].prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        let mode = mode_t(String(decoding: field, as: UTF8.self), radix: 8) ?? 0o644
        return (mode & 0o555) | 0o200
    }
}
