/// Lays out bound parameters the way `PQexecParams`/`PQexecPrepared` want them.
enum LibPQParameters {
    /// Calls `body` with the value pointers, lengths and formats (0 text, 1 binary). Text
    /// values are copied NUL-terminated; the copies are freed when `body` returns.
    static func with<R>(
        _ binds: [PostgresBind],
        _ body: (_ values: [UnsafePointer<CChar>?], _ lengths: [Int32], _ formats: [Int32]) throws -> R
    ) throws -> R {
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer { buffers.forEach { $0.deallocate() } }
        var values: [UnsafePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        values.reserveCapacity(binds.count)
        lengths.reserveCapacity(binds.count)
        formats.reserveCapacity(binds.count)

        // Always one spare byte: text needs its terminator, and an empty bytea still needs a
        // non-NULL pointer (NULL means SQL NULL to libpq).
        func copy<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> UnsafePointer<CChar> {
            guard bytes.count < Int(Int32.max) else {
                throw PostgresEncodingError(.valueOutOfRange(type: "parameter larger than 2 GiB"))
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(
                byteCount: bytes.count + 1, alignment: MemoryLayout<CChar>.alignment)
            buffers.append(buffer)
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
            guard let base = buffer.baseAddress else {
                throw PostgresEncodingError(.encodingFailed(type: "parameter buffer"))
            }
            return UnsafePointer(base.assumingMemoryBound(to: CChar.self))
        }

        for bind in binds {
            switch bind.storage {
            case .null, .failed:
                values.append(nil)
                lengths.append(0)
                formats.append(0)
            case .value(.text(let text)):
                values.append(try copy(text.utf8))
                lengths.append(0)
                formats.append(0)
            case .value(.binary(let bytes)):
                values.append(try copy(bytes))
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        return try body(values, lengths, formats)
    }
}
