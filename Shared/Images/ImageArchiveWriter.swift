import CompressNIO
import Contracts
import Crypto
import Foundation
import NIOCore

/// Streams tar blocks through gzip (zlib, level 1 by default) into a file, hashing the
/// compressed bytes as they leave: memory stays at the window and one input chunk however
/// large the image is. zlib writes the gzip header with time 0, so equal input gives equal
/// bytes.
public final class ImageArchiveWriter {
    private let output: FileHandle
    private let compressor: ZlibCompressor
    private var window: ByteBuffer
    private var digest = SHA256()
    public private(set) var compressedSize: Int64 = 0

    public init(output: FileHandle, level: ZlibConfiguration.CompressionLevel = .fastestCompression) throws {
        self.output = output
        self.compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: level))
        self.window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
    }

    public func write(_ bytes: some Sequence<UInt8>) throws {
        var buffer = ByteBuffer(bytes: bytes)
        try compress(&buffer, flush: .no)
    }

    /// Ends the gzip stream; returns the archive's SHA-256 (hex) and size.
    public func finish() throws -> (sha256: String, size: Int64) {
        var empty = ByteBuffer()
        try compress(&empty, flush: .finish)
        return (LowercaseHex.encode(digest.finalize()), compressedSize)
    }

    private func compress(_ buffer: inout ByteBuffer, flush: CompressNIOFlush) throws {
        try buffer.compressStream(with: compressor, window: &window, flush: flush) { out in
            out.withUnsafeReadableBytes { bytes in
                digest.update(bufferPointer: bytes)
                output.write(Data(bytes))
            }
            compressedSize += Int64(out.readableBytes)
        }
    }
}
