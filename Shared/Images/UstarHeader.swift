import Foundation

/// One 512-byte ustar (POSIX.1-1988) header with every field that varies between machines
/// fixed: modification time 0, owner and group 0 named `root`, mode 0644 or 0755. The tar
/// container is a fixed layout of octal fields, written here; compression and hashing come
/// from libraries (zlib through compress-nio, swift-crypto).
public struct UstarHeader: Sendable {
    public static let blockSize = 512
    /// Octal size field of 11 digits: files up to 8 GiB − 1.
    public static let maxFileSize: Int64 = 0o77777777777

    public let path: ImagePath
    public let size: Int64
    public let executable: Bool

    public init(path: ImagePath, size: Int64, executable: Bool) {
        self.path = path
        self.size = size
        self.executable = executable
    }

    public var bytes: [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        let (prefix, name) = ImagePath.ustarSplit(path.value) ?? ("", path.value)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, at offset: Int, digits: Int) {
            let text = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, digits - text.count)) + text, at: offset, width: digits)
        }
        put(name, at: 0, width: 100)
        octal(executable ? 0o755 : 0o644, at: 100, digits: 7)
        octal(0, at: 108, digits: 7)  // uid
        octal(0, at: 116, digits: 7)  // gid
        octal(size, at: 124, digits: 11)
        octal(0, at: 136, digits: 11)  // mtime
        block[156] = UInt8(ascii: "0")  // a regular file
        put("ustar", at: 257, width: 6)  // NUL-terminated magic
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        put(prefix, at: 345, width: 155)
        // The checksum counts its own field as eight spaces.
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int64($1) }
        octal(sum, at: 148, digits: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }

    /// Zero bytes that round `size` up to a whole block.
    public static func padding(after size: Int64) -> Int {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? 0 : blockSize - remainder
    }
}

extension UstarHeader {
    /// The fields of a header block that a check needs, or `nil` when the block is not a
    /// ustar header whose checksum adds up.
    struct Parsed {
        let name: String
        let size: Int64
        let isRegularFile: Bool

        /// The name with control characters masked, for messages.
        var printableName: String { ImagePath.printable(name, limit: 120) }
    }

    static func parse(_ block: [UInt8]) -> Parsed? {
        guard block.count == blockSize else { return nil }
        func field(_ offset: Int, _ width: Int) -> ArraySlice<UInt8> {
            let slice = block[offset..<(offset + width)]
            return slice.prefix { $0 != 0 }
        }
        func octal(_ offset: Int, _ width: Int) -> Int64? {
            let text = String(decoding: field(offset, width), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            return Int64(text, radix: 8)
        }
        var sum: Int64 = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int64(byte) }
        guard let stored = octal(148, 8), stored == sum, let size = octal(124, 12), size >= 0,
              String(decoding: field(257, 6), as: UTF8.self) == "ustar"
        else { return nil }
        let prefix = String(decoding: field(345, 155), as: UTF8.self)
        let name = String(decoding: field(0, 100), as: UTF8.self)
        let type = block[156]
        return Parsed(
            name: prefix.isEmpty ? name : prefix + "/" + name, size: size,
            isRegularFile: type == UInt8(ascii: "0") || type == 0)
    }
}
